// A form page's one-time token goes into its address (hearth.web.form_tokens), so going Back to
// the page after it was saved asks for that token again and is told the form was already saved,
// instead of drawing a fresh form that would save the same record twice.
const field = document.querySelector('input[name="hearth_form_token"]')
if (field && window.history.replaceState) {
  const address = new URL(window.location.href)
  if (address.searchParams.get('once') !== field.value) {
    address.searchParams.set('once', field.value)
    window.history.replaceState(window.history.state, '', address.toString())
  }
}
