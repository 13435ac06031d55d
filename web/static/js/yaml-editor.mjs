// The policy workspace's YAML editor: progressive enhancement of the plain text area on
// workspace/editor.html (which saves and shows lint problems without any JavaScript).
//
// With CodeMirror 5 loaded (static/codemirror, copied from npm by `hearth assets build`):
// line numbers; lint markers on their lines, first from the problems the server found
// (rendered into the page as JSON), then from the server's re-lint of the typed text
// (POST .../lint/<path>, nothing saved); and Ctrl+Space key hints from the file's JSON
// Schema. Keyboard: Tab indents, Escape then Tab leaves the editor (no keyboard trap);
// the page says so beside the editor. Submitting the form saves the editor's text.

const CodeMirror = window.CodeMirror
const textarea = document.querySelector('textarea[data-lint-url]')

if (CodeMirror && textarea) {
  start(textarea)
}

function start (textarea) {
  const form = textarea.form
  const csrf = form.querySelector('input[name="csrf_token"]').value
  const status = document.getElementById('lint-status')
  const label = document.querySelector(`label[for="${textarea.id}"]`)
  const served = JSON.parse(document.getElementById(textarea.dataset.problems).textContent)
  const servedText = textarea.value
  const schema = textarea.dataset.schemaUrl ? fetchJson(textarea.dataset.schemaUrl) : Promise.resolve(null)
  let escaped = false

  const editor = CodeMirror.fromTextArea(textarea, {
    mode: 'yaml',
    lineNumbers: true,
    indentUnit: 2,
    tabSize: 2,
    indentWithTabs: false,
    inputStyle: 'contenteditable',
    spellcheck: false,
    screenReaderLabel: label ? label.textContent.trim() : 'Text of the file',
    gutters: ['CodeMirror-lint-markers'],
    lint: { async: true, delay: 800, getAnnotations: lint, onUpdateLinting: announce },
    extraKeys: {
      Tab: (cm) => indent(cm, 'add'),
      'Shift-Tab': (cm) => indent(cm, 'subtract'),
      'Ctrl-Space': (cm) => cm.showHint({ hint: (cm) => hints(cm, schema), completeSingle: false })
    }
  })
  const input = editor.getInputField()
  input.setAttribute('role', 'textbox')
  input.setAttribute('aria-multiline', 'true')
  if (textarea.getAttribute('aria-describedby')) {
    input.setAttribute('aria-describedby', textarea.getAttribute('aria-describedby'))
  }
  // Escape, then Tab or Shift+Tab: the browser moves focus on (codemirrorIgnore leaves the key to it).
  editor.on('keydown', (cm, event) => {
    if (event.key === 'Tab' && escaped) {
      event.codemirrorIgnore = true
    } else if (event.key !== 'Shift') {
      escaped = event.key === 'Escape'
    }
  })
  editor.on('blur', () => { escaped = false })
  if (label) label.addEventListener('click', () => editor.focus())
  // The error summary's "Line N" links go to the line in the editor.
  document.querySelectorAll('a[href^="#line-"]').forEach((link) => {
    link.addEventListener('click', (event) => {
      event.preventDefault()
      const line = Number(link.getAttribute('href').slice('#line-'.length)) - 1
      editor.setCursor({ line, ch: 0 })
      editor.scrollIntoView({ line, ch: 0 }, 100)
      editor.focus()
    })
  })

  function lint (text, update, _options, cm) { // called first while the editor is being made
    if (text === servedText) {
      update(annotations(cm, served))
      return
    }
    fetch(textarea.dataset.lintUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf },
      body: JSON.stringify({ text })
    }).then((response) => response.ok ? response.json() : Promise.reject(new Error(response.statusText)))
      .then((answer) => update(annotations(cm, answer.problems)))
      .catch(() => { status.textContent = 'The text could not be checked just now: save it to check it.' })
  }

  function announce (found) {
    status.textContent = found.length === 0
      ? 'No problems in this file.'
      : `${found.length} problem${found.length === 1 ? '' : 's'} in this file: ` +
        found.map((annotation) => `line ${annotation.from.line + 1}: ${annotation.message}`).join(' ')
  }
}

function indent (cm, how) {
  if (how === 'add' && !cm.somethingSelected()) {
    cm.replaceSelection(' '.repeat(cm.getOption('indentUnit')))
  } else {
    cm.indentSelection(how)
  }
}

function annotations (cm, problems) {
  const last = cm.lineCount() - 1
  return problems.map((problem) => {
    const line = Math.min(Math.max(problem.line - 1, 0), last)
    const from = Math.max(problem.column - 1, 0)
    const to = Math.max(cm.getLine(line).length, from + 1)
    return { from: CodeMirror.Pos(line, from), to: CodeMirror.Pos(line, to), message: problem.message, severity: 'error' }
  })
}

function fetchJson (url) {
  return fetch(url, { credentials: 'same-origin' }).then((response) => response.ok ? response.json() : null)
    .catch(() => null)
}

// ---------------------------------------------------------------- key hints from the JSON Schema
async function hints (cm, schemaPromise) {
  const schema = await schemaPromise
  const cursor = cm.getCursor()
  const before = cm.getLine(cursor.line).slice(0, cursor.ch)
  const typed = /^(\s*)(- )?([\w-]*)$/.exec(before)
  if (!schema || !typed) return null
  const column = typed[1].length + (typed[2] ? 2 : 0)
  const path = keysAbove(cm, cursor.line, column, Boolean(typed[2]))
  const properties = propertiesAt(schema, path)
  const word = typed[3]
  const list = Object.keys(properties).filter((key) => key.startsWith(word)).sort().map((key) => ({
    text: `${key}: `,
    displayText: properties[key].description ? `${key}: ${properties[key].description}` : key
  }))
  if (!list.length) return null
  const result = { list, from: CodeMirror.Pos(cursor.line, cursor.ch - word.length), to: cursor }
  CodeMirror.on(result, 'shown', () => {
    document.querySelectorAll('.CodeMirror-hints').forEach((box) => box.setAttribute('aria-label', 'Keys that can go here'))
  })
  return result
}

// The keys (and "[]" for a list item) leading to the mapping a key at `column` of `line` is in.
function keysAbove (cm, line, column, newItem) {
  const path = newItem ? ['[]'] : []
  let threshold = newItem ? column - 2 : column
  for (let number = line - 1; number >= 0 && threshold > 0; number--) {
    const text = cm.getLine(number)
    const found = /^(\s*)(- )?([\w-]+)?\s*:?/.exec(text)
    if (!text.trim() || text.trim().startsWith('#')) continue
    const indentation = found[1].length
    const content = indentation + (found[2] ? 2 : 0)
    if (found[2] && content === threshold) { // a sibling key on its list item's dash line
      path.unshift('[]')
      threshold = indentation
    } else if (content < threshold && found[3] && /:\s*(#.*)?$/.test(text)) {
      path.unshift(found[3])
      if (found[2]) path.unshift('[]')
      threshold = indentation
    }
  }
  return path
}

function propertiesAt (schema, path) {
  let nodes = expand(schema, schema)
  for (const step of path) {
    nodes = nodes.flatMap((node) => step === '[]'
      ? (node.items ? expand(schema, node.items) : [])
      : (node.properties && node.properties[step] ? expand(schema, node.properties[step]) : []))
  }
  return Object.assign({}, ...nodes.map((node) => node.properties || {}))
}

// A schema node with its $ref followed and its anyOf/oneOf/allOf branches spread.
function expand (root, node, depth = 0) {
  if (!node || typeof node !== 'object' || depth > 20) return []
  if (node.$ref) return expand(root, pointer(root, node.$ref), depth + 1)
  const branches = [...(node.anyOf || []), ...(node.oneOf || []), ...(node.allOf || [])]
  return [node, ...branches.flatMap((branch) => expand(root, branch, depth + 1))]
}

function pointer (root, ref) {
  if (!ref.startsWith('#/')) return null
  return ref.slice(2).split('/').reduce((node, part) => node && node[part.replace(/~1/g, '/').replace(/~0/g, '~')], root)
}
