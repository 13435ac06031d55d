// Narrow screens show each table row as a stack of lines (the council stylesheet's reflow
// rules); each cell is headed by its column's name, from the data-label the template wrote
// or, where it wrote none, from the table's own column headers.
for (const table of document.querySelectorAll('table.govuk-table')) {
  const headers = [...table.querySelectorAll(':scope > thead > tr:last-child > th')].map(th => th.textContent.trim())
  if (!headers.length) continue
  for (const row of table.querySelectorAll(':scope > tbody > tr')) {
    let column = 0
    for (const cell of row.children) {
      if (!cell.hasAttribute('data-label') && headers[column]) cell.setAttribute('data-label', headers[column])
      column += cell.colSpan || 1
    }
  }
}
