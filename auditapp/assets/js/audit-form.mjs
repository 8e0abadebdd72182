// Save as you go on the case form: a progressive enhancement of a plain <form method="post">.
//
// - Each changed answer or note is posted to the JSON endpoint (CSRF token in X-CSRFToken) with
//   the value the page last saw for it and the case version it saw it at; the reply gives the new
//   version, which questions are shown, the derived checks and the provisional grade.
// - Until the server confirms a save, the change is kept in localStorage (keyed by case, round
//   and question), retried with backoff (longer when a 503 asks for it with Retry-After: the
//   database is locked or down), when the browser comes back online and when the page is
//   opened again; a banner lists what is not saved yet. Nothing typed is lost.
// - A 409 conflict shows both values; the auditor keeps theirs or takes the other one.
// - A date is typed in day, month and year fields (and hour and minute): it is sent, as those
//   fields, only once every one is filled in; the server checks it and stores it as before.
// - A section whose questions are all hidden hides with its heading and its contents link; a
//   note opens by itself when one is restored or taken from someone else.
// Without this script the form still works: "Save answers" posts everything.
import {
  controlValue,
  dateCompleteness,
  dateParts,
  nextRetryDelay,
  shouldRetry,
  splitStoredDate,
  storageKey,
  storagePrefix,
  visibleIds
} from './audit-form-logic.js'
import { showPersonalDataWarning } from './personal-data-check.js'

const STATES = {
  saving: { text: 'Saving…', modifier: 'saving' },
  saved: { text: 'Saved', modifier: 'saved' },
  failed: { text: 'Not saved – will retry', modifier: 'failed' },
  signedOut: { text: 'Not saved – sign in again; kept in this browser', modifier: 'failed' },
  reload: { text: 'Not saved – reload the page; kept in this browser', modifier: 'failed' },
  invalid: { text: 'Not saved – check this answer', modifier: 'failed' },
  conflict: { text: 'Not saved – someone else changed this', modifier: 'failed' },
  locked: { text: 'Not saved – this case can no longer be changed', modifier: 'failed' },
  partialDate: { text: 'Not saved yet – enter the day, month and year', modifier: 'saving' },
  partialDateTime: {
    text: 'Not saved yet – enter the day, month, year, hour and minute',
    modifier: 'saving'
  }
}
const DATE_TYPES = ['date', 'datetime']
const TYPING_DELAY = 1500

class AuditForm {
  constructor (form) {
    this.form = form
    this.caseId = form.dataset.caseId
    this.round = form.dataset.auditRound
    this.saveUrl = form.dataset.saveUrl
    this.csrfToken = form.querySelector('input[name="csrf_token"]').value
    this.pageVersion = Number(form.querySelector('input[name="base_version"]').value)
    this.questions = new Map()
    for (const element of form.querySelectorAll('[data-question]')) {
      this.questions.set(element.dataset.question, element)
    }
    this.rules = [...this.questions.values()].map((element) => ({
      id: element.dataset.question,
      showIf: element.dataset.showIfQuestion
        ? { question: element.dataset.showIfQuestion, equals: JSON.parse(element.dataset.showIfEquals) }
        : null
    }))
    this.seenVersion = new Map() // question -> case version at which its stored value was seen
    this.pending = new Map() // question -> unsaved change
    this.sending = false
    this.failures = 0
    this.retryTimer = null
    this.typingTimers = new Map()
    this.banner = document.querySelector('[data-unsaved-banner]')
    this.sections = [...document.querySelectorAll('[data-section]')]
  }

  start () {
    this.form.addEventListener('change', (event) => this.onEdit(event, true))
    this.form.addEventListener('input', (event) => this.onEdit(event, false))
    this.form.addEventListener('click', (event) => this.onConflictChoice(event))
    window.addEventListener('online', () => this.retryNow())
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.retryNow()
    })
    this.restoreUnsaved()
    this.applyVisibility(this.localVisibility())
    this.renderBanner()
    this.kick()
  }

  // --- reading and writing controls -----------------------------------------------------------

  field (name) {
    const match = /^(answer|na|note|day|month|year|hour|minute)-(.+)$/.exec(name || '')
    if (!match || !this.questions.has(match[2])) return null
    return { kind: match[1] === 'note' ? 'note' : 'value', question: match[2] }
  }

  dateInputs (question) {
    const element = this.questions.get(question)
    return Object.fromEntries(
      dateParts(element.dataset.type).map((part) => [part, element.querySelector(`[name="${part}-${question}"]`)])
    )
  }

  typeOf (question) {
    return this.questions.get(question).dataset.type
  }

  valueOf (question) {
    const element = this.questions.get(question)
    const type = element.dataset.type
    const name = `answer-${question}`
    if (type === 'checklist') {
      return [...element.querySelectorAll(`input[name="${name}"]:checked`)].map((input) => input.value)
    }
    const na = element.querySelector(`input[name="na-${question}"]`)
    if (na && na.checked) return 'na'
    if (DATE_TYPES.includes(type)) {
      // The fields as typed: the server joins and checks them (one rule, in domain/).
      const fields = {}
      for (const [part, input] of Object.entries(this.dateInputs(question))) {
        fields[part] = input ? input.value.trim() : ''
      }
      return dateCompleteness(type, fields) === 'empty' ? null : fields
    }
    if (type === 'yes_no' || type === 'choice') {
      const checked = element.querySelector(`input[name="${name}"]:checked`)
      return checked ? checked.value : null
    }
    const input = element.querySelector(`[name="${name}"]`)
    return input ? input.value : null
  }

  noteOf (question) {
    const note = this.questions.get(question).querySelector(`[name="note-${question}"]`)
    return note ? note.value : null
  }

  setValue (question, value) {
    const element = this.questions.get(question)
    const type = element.dataset.type
    const name = `answer-${question}`
    if (type === 'checklist') {
      const ticked = controlValue(type, value)
      for (const input of element.querySelectorAll(`input[name="${name}"]`)) {
        input.checked = ticked.includes(input.value)
      }
      return
    }
    if (type === 'yes_no' || type === 'choice') {
      for (const input of element.querySelectorAll(`input[name="${name}"]`)) {
        input.checked = input.value === value
      }
      return
    }
    const na = element.querySelector(`input[name="na-${question}"]`)
    if (na) na.checked = value === 'na'
    if (DATE_TYPES.includes(type)) {
      const fields = value && typeof value === 'object'
        ? value
        : splitStoredDate(type, value === 'na' ? null : value)
      for (const [part, input] of Object.entries(this.dateInputs(question))) {
        if (input) input.value = fields[part] ?? ''
      }
      return
    }
    const input = element.querySelector(`[name="${name}"]`)
    if (input) input.value = value === 'na' || value === null || value === undefined ? '' : value
  }

  setNote (question, note) {
    const field = this.questions.get(question).querySelector(`[name="note-${question}"]`)
    if (!field) return
    field.value = note || ''
    // A note shown to the auditor is never left folded away behind "Add a note".
    const details = field.closest('details')
    if (details && note) details.open = true
  }

  // A date sent only once every field is filled in: part of a date is kept, not sent.
  partialDate (question) {
    const type = this.typeOf(question)
    if (!DATE_TYPES.includes(type)) return null
    const value = this.valueOf(question)
    if (!value || typeof value !== 'object') return null
    if (dateCompleteness(type, value) !== 'partial') return null
    return type === 'datetime' ? 'partialDateTime' : 'partialDate'
  }

  seen (question, kind) {
    const name = kind === 'note' ? `seen-note-${question}` : `seen-${question}`
    const input = this.form.querySelector(`input[name="${name}"]`)
    return input && input.value !== '' ? input.value : null
  }

  setSeen (question, kind, value) {
    const name = kind === 'note' ? `seen-note-${question}` : `seen-${question}`
    const input = this.form.querySelector(`input[name="${name}"]`)
    if (input) input.value = value ?? ''
  }

  // --- edits ----------------------------------------------------------------------------------

  onEdit (event, committed) {
    const field = this.field(event.target.name)
    if (!field) return
    const { question, kind } = field
    const item = this.pending.get(question) || {
      baseValue: this.seen(question, 'value'),
      baseNote: this.seen(question, 'note'),
      baseVersion: this.seenVersion.get(question) ?? this.pageVersion,
      edits: 0
    }
    if (kind === 'value') {
      item.value = this.valueOf(question)
      item.hasValue = true
      if (event.target.name.startsWith('na-') && event.target.checked) {
        const input = this.questions.get(question).querySelector(`[name="answer-${question}"]`)
        if (input) input.value = ''
        for (const part of Object.values(this.dateInputs(question))) {
          if (part) part.value = ''
        }
      }
    } else {
      item.note = this.noteOf(question)
      item.hasNote = true
    }
    item.edits += 1
    item.status = 'queued'
    this.pending.set(question, item)
    this.persist(question)
    if (kind === 'value') this.applyVisibility(this.localVisibility())
    clearTimeout(this.typingTimers.get(question))
    this.typingTimers.delete(question)
    const partial = this.partialDate(question)
    if (partial) {
      // Kept in this browser; sent when the last field is filled in.
      item.status = 'partial'
      this.setState(question, partial)
      return
    }
    if (committed) {
      this.setState(question, 'saving')
      this.kick()
    } else {
      // Typing: kept in this browser at once, sent when the auditor pauses.
      this.typingTimers.set(question, setTimeout(() => {
        this.typingTimers.delete(question)
        this.setState(question, 'saving')
        this.kick()
      }, TYPING_DELAY))
    }
  }

  persist (question) {
    const item = this.pending.get(question)
    const key = storageKey(this.caseId, this.round, question)
    try {
      if (item) {
        const { value, hasValue, note, hasNote, baseValue, baseNote, baseVersion } = item
        window.localStorage.setItem(key, JSON.stringify({
          value, hasValue, note, hasNote, baseValue, baseNote, baseVersion, at: Date.now()
        }))
      } else {
        window.localStorage.removeItem(key)
      }
    } catch {
      // Storage full or disabled: the change stays in this page and is still retried.
    }
  }

  restoreUnsaved () {
    let keys = []
    try {
      const prefix = storagePrefix(this.caseId, this.round)
      keys = Object.keys(window.localStorage).filter((key) => key.startsWith(prefix))
    } catch {
      return
    }
    for (const key of keys) {
      const question = key.split(':q:')[1]
      if (!this.questions.has(question)) continue
      let saved
      try {
        saved = JSON.parse(window.localStorage.getItem(key))
      } catch {
        continue
      }
      if (!saved) continue
      if (saved.hasValue) this.setValue(question, saved.value)
      if (saved.hasNote) this.setNote(question, saved.note)
      this.pending.set(question, { ...saved, edits: 1, status: 'queued', failedOnce: true })
      const partial = this.partialDate(question)
      if (partial) {
        this.pending.get(question).status = 'partial'
        this.setState(question, partial)
      } else {
        this.setState(question, 'failed')
      }
    }
  }

  // --- sending --------------------------------------------------------------------------------

  kick () {
    if (this.sending) return
    const next = [...this.pending.entries()].find(
      ([question, item]) => item.status === 'queued' && !this.typingTimers.has(question)
    )
    if (!next) return
    this.send(next[0], next[1])
  }

  retryNow () {
    clearTimeout(this.retryTimer)
    this.retryTimer = null
    for (const item of this.pending.values()) {
      if (['failed', 'signedOut'].includes(item.status)) item.status = 'queued'
    }
    this.kick()
  }

  // retryAfter: the reply's Retry-After header, if any (a 503 while the database is busy).
  scheduleRetry (retryAfter = null) {
    clearTimeout(this.retryTimer)
    this.retryTimer = setTimeout(() => this.retryNow(), nextRetryDelay(this.failures, retryAfter))
    this.failures += 1
  }

  async send (question, item) {
    this.sending = true
    this.typingTimers.delete(question)
    const edits = item.edits
    item.status = 'sending'
    this.setState(question, 'saving')
    const body = { base_version: item.baseVersion, base_value: item.baseValue, base_note: item.baseNote }
    if (item.hasValue) body.value = item.value
    if (item.hasNote) body.note = item.note
    let response
    let data = null
    try {
      response = await fetch(this.saveUrl.replace('__QUESTION__', encodeURIComponent(question)), {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'X-CSRFToken': this.csrfToken
        },
        body: JSON.stringify(body)
      })
      const type = response.headers.get('Content-Type') || ''
      if (type.includes('application/json')) data = await response.json()
    } catch {
      response = null
    }
    this.sending = false
    this.handle(question, item, edits, response, data)
    this.renderBanner()
    this.kick()
  }

  handle (question, item, edits, response, data) {
    item.failedOnce = item.failedOnce || !(response && response.ok && data)
    if (shouldRetry(response ? response.status : null, data)) {
      // Offline, or the server busy or down (503): keep the change and try again later.
      item.status = 'failed'
      this.setState(question, 'failed')
      this.scheduleRetry(response ? response.headers.get('Retry-After') : null)
      return
    }
    if (!data || response.redirected) {
      // The sign-in page came back instead of JSON: the session ended.
      item.status = 'signedOut'
      this.setState(question, 'signedOut')
      this.scheduleRetry()
      return
    }
    this.failures = 0
    if (response.ok) {
      this.saved(question, item, edits, data)
    } else if (response.status === 409 && data.error === 'conflict') {
      item.status = 'conflict'
      item.conflict = data
      this.setState(question, 'conflict')
      this.showConflict(question, data)
    } else if (response.status === 422 && data.error === 'personal_data') {
      // Refused: nothing saved. Say what looked personal beside the field, and keep the text
      // only in the field (not in this browser's storage) until it is rephrased.
      item.status = 'invalid'
      this.setState(question, 'invalid', data.message)
      const element = this.questions.get(question)
      const name = data.field === 'note' ? `note-${question}` : `answer-${question}`
      showPersonalDataWarning(element.querySelector(`[name="${name}"]`), data.message)
      this.pending.delete(question)
      this.persist(question)
    } else if (response.status === 422) {
      item.status = 'invalid'
      this.setState(question, 'invalid', data.message)
    } else if (response.status === 400 && data.error === 'csrf') {
      item.status = 'reload'
      this.setState(question, 'reload')
    } else {
      // 403, 404 or a submitted case: this change can never be saved here.
      item.status = 'locked'
      this.setState(question, 'locked', data.message)
      this.pending.delete(question)
      this.persist(question)
    }
  }

  saved (question, item, edits, data) {
    const answer = data.answer || {}
    this.seenVersion.set(question, data.version)
    this.setSeen(question, 'value', answer.value)
    this.setSeen(question, 'note', answer.note)
    if (item.edits === edits) {
      this.pending.delete(question)
      this.setState(question, 'saved')
    } else {
      // Edited again while the save was on its way: send the newer change from the new base.
      Object.assign(item, {
        baseValue: answer.value ?? null,
        baseNote: answer.note ?? null,
        baseVersion: data.version,
        status: 'queued'
      })
    }
    this.persist(question)
    this.applyServerState(data)
  }

  // --- conflicts ------------------------------------------------------------------------------

  showConflict (question, data) {
    const panel = this.questions.get(question).querySelector('[data-conflict]')
    if (!panel) return
    const what = data.field === 'note' ? 'note' : 'answer'
    const by = data.theirs.by || 'Someone else'
    panel.replaceChildren()
    const heading = document.createElement('h3')
    heading.className = 'govuk-heading-s'
    heading.textContent = `${by} changed this ${what} while you were editing`
    const theirs = document.createElement('p')
    theirs.className = 'govuk-body'
    theirs.textContent = `Their ${what}: ${data.theirs.label || '(empty)'}`
    const yours = document.createElement('p')
    yours.className = 'govuk-body'
    yours.textContent = `Your ${what}: ${data.yours.label || '(empty)'}`
    const group = document.createElement('div')
    group.className = 'govuk-button-group'
    for (const [choice, text, classes] of [
      ['mine', `Keep my ${what}`, 'govuk-button'],
      ['theirs', `Use their ${what}`, 'govuk-button govuk-button--secondary']
    ]) {
      const button = document.createElement('button')
      button.type = 'button'
      button.className = classes
      button.dataset.conflictChoice = choice
      button.dataset.question = question
      button.textContent = text
      group.append(button)
    }
    panel.append(heading, theirs, yours, group)
    panel.hidden = false
  }

  onConflictChoice (event) {
    const button = event.target.closest('[data-conflict-choice]')
    if (!button) return
    event.preventDefault()
    const question = button.dataset.question
    const item = this.pending.get(question)
    const panel = this.questions.get(question).querySelector('[data-conflict]')
    panel.hidden = true
    panel.replaceChildren()
    if (!item || !item.conflict) return
    const conflict = item.conflict
    const kind = conflict.field === 'note' ? 'note' : 'value'
    const theirs = conflict.theirs.value
    item.baseVersion = conflict.version
    if (kind === 'value') item.baseValue = theirs
    else item.baseNote = theirs
    delete item.conflict
    if (button.dataset.conflictChoice === 'theirs') {
      if (kind === 'value') {
        this.setValue(question, theirs)
        item.hasValue = false
        delete item.value
      } else {
        this.setNote(question, theirs)
        item.hasNote = false
        delete item.note
      }
      this.setSeen(question, kind, theirs)
      this.seenVersion.set(question, conflict.version)
      this.applyVisibility(this.localVisibility())
    }
    if (!item.hasValue && !item.hasNote) {
      this.pending.delete(question)
      this.setState(question, 'saved')
    } else {
      item.status = 'queued'
      this.setState(question, 'saving')
    }
    this.persist(question)
    this.renderBanner()
    this.kick()
    const focusTarget = this.questions.get(question).querySelector('input, textarea')
    if (focusTarget) focusTarget.focus()
  }

  // --- showing what the server worked out -----------------------------------------------------

  localVisibility () {
    return visibleIds(this.rules, (question) => this.valueOf(question))
  }

  applyVisibility (visible) {
    for (const [question, element] of this.questions) {
      element.classList.toggle('app-question--hidden', !visible.has(question))
    }
    for (const section of this.sections) {
      const shown = [...section.querySelectorAll('[data-question]')].some(
        (element) => visible.has(element.dataset.question)
      )
      section.classList.toggle('app-section--hidden', !shown)
      const link = document.querySelector(`[data-section-link="${section.dataset.section}"]`)
      if (link) link.hidden = !shown
    }
  }

  applyServerState (data) {
    const valuesPending = [...this.pending.values()].some((item) => item.hasValue)
    if (data.visible && !valuesPending) {
      this.applyVisibility(new Set(Object.keys(data.visible).filter((q) => data.visible[q])))
    } else {
      this.applyVisibility(this.localVisibility())
    }
    for (const [question, check] of Object.entries(data.checks || {})) {
      const element = document.getElementById(`check-${question}`)
      if (!element) continue
      const tag = element.querySelector('[data-check-tag]')
      const classes = { met: 'govuk-tag--green', partly_met: 'govuk-tag--yellow', not_met: 'govuk-tag--red' }
      tag.className = `govuk-tag ${classes[check.outcome] || 'govuk-tag--grey'}`
      tag.textContent = check.label
      element.querySelector('[data-check-detail]').textContent = check.detail
    }
    const progress = document.querySelector('[data-progress]')
    if (progress && data.progress) progress.textContent = data.progress.text
    if (data.grade) this.renderGrade(data.grade)
  }

  renderGrade (grade) {
    const tag = document.querySelector('[data-grade-tag]')
    if (tag) {
      tag.className = `govuk-tag ${grade.tag_class}`
      tag.textContent = grade.label
    }
    const provisional = document.querySelector('[data-grade-provisional]')
    if (provisional) provisional.textContent = grade.provisional ? '(provisional)' : ''
    const list = document.querySelector('[data-grade-explanation]')
    if (list) {
      list.replaceChildren(...grade.explanation.map((line) => {
        const item = document.createElement('li')
        item.textContent = line
        return item
      }))
    }
    const deciding = document.querySelector('[data-grade-deciding]')
    if (deciding) {
      deciding.replaceChildren()
      if (grade.deciding.length) {
        const heading = document.createElement('h3')
        heading.className = 'govuk-heading-s'
        heading.textContent = 'Deciding questions'
        const items = document.createElement('ul')
        items.className = 'govuk-list govuk-body-s'
        for (const question of grade.deciding) {
          const item = document.createElement('li')
          const link = document.createElement('a')
          link.className = 'govuk-link'
          link.href = `#question-${question.id}`
          link.textContent = question.id
          item.append(link, `: ${question.text}`)
          items.append(item)
        }
        deciding.append(heading, items)
      }
    }
  }

  setState (question, state, message) {
    const element = this.questions.get(question).querySelector('[data-save-state]')
    if (!element) return
    const { text, modifier } = STATES[state]
    element.className = `app-save-state app-save-state--${modifier}`
    element.textContent = message ? `${text}: ${message}` : text
    const item = this.pending.get(question)
    if (item && state !== 'saving') item.reason = element.textContent
  }

  renderBanner () {
    if (!this.banner) return
    // Only changes that failed at least once: a save on its way is not worth a banner.
    const unsaved = [...this.pending.entries()].filter(([, item]) => item.failedOnce)
    this.banner.hidden = unsaved.length === 0
    if (!unsaved.length) return
    const summary = this.banner.querySelector('[data-unsaved-summary]')
    summary.textContent = unsaved.length === 1
      ? '1 change is not saved yet. It is kept in this browser and will be saved when it can.'
      : `${unsaved.length} changes are not saved yet. They are kept in this browser and will be saved when they can.`
    const list = this.banner.querySelector('[data-unsaved-list]')
    list.replaceChildren(...unsaved.map(([question, item]) => {
      const entry = document.createElement('li')
      const link = document.createElement('a')
      link.className = 'govuk-notification-banner__link'
      link.href = `#question-${question}`
      link.textContent = question
      entry.append(link, ` – ${item.reason || 'not saved yet'}`)
      return entry
    }))
  }
}

const form = document.querySelector('[data-module="app-audit-form"]')
if (form) new AuditForm(form).start()
