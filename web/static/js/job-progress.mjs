// A background job's page (the impact of a draft): without JavaScript a <noscript> refresh
// reloads it every few seconds; with it, the progress is polled and shown in place, and the
// page is loaded once more when the job has finished, to show the result.
const job = document.querySelector('[data-job-progress]')

if (job) {
  const url = job.dataset.jobProgress
  const seconds = Number(job.dataset.refresh) || 2
  const count = job.querySelector('.hearth-job__count')
  const bar = job.querySelector('progress')

  const poll = async () => {
    try {
      const answer = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      if (answer.ok) {
        const progress = await answer.json()
        if (progress.finished) {
          window.location.reload()
          return
        }
        count.textContent = `${progress.done} of ${progress.total} cases`
        bar.value = progress.progress
        bar.textContent = `${progress.progress}%`
      }
    } catch (error) {
      // A missed look is fine: the next one comes in a moment.
    }
    window.setTimeout(poll, seconds * 1000)
  }
  window.setTimeout(poll, seconds * 1000)
}
