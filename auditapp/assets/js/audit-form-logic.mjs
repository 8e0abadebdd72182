// Pure logic of the case form, without the DOM, so it can be tested in Node.
// visibleIds mirrors auditapp.domain.question_sets.visible_ids: the server decides which questions
// are shown; this repeats the same rule in the browser so questions appear as answers change.

const NOT_APPLICABLE = 'na'

// Whether a controlling answer satisfies a show_if condition. A checklist answer is a list of
// ticked values (any one in `equals` is enough); "none" ticks nothing.
export function conditionMet (value, equals) {
  if (value === null || value === undefined || value === '') return false
  if (Array.isArray(value)) return value.some((ticked) => equals.includes(ticked))
  return equals.includes(String(value))
}

// questions: [{id, showIf: {question, equals} | null}] in form order (controllers come first).
// valueOf(id) gives the current answer. Returns the Set of ids shown.
export function visibleIds (questions, valueOf) {
  const visible = new Set()
  for (const question of questions) {
    const condition = question.showIf
    if (
      !condition ||
      (visible.has(condition.question) && conditionMet(valueOf(condition.question), condition.equals))
    ) {
      visible.add(question.id)
    }
  }
  return visible
}

// Wait before the nth retry (0-based): 1 s, 2 s, 4 s … at most 30 s, with a little jitter so
// many tablets coming back online do not retry in step.
export function retryDelay (attempt, random = Math.random) {
  const base = Math.min(30000, 1000 * 2 ** Math.max(0, attempt))
  return Math.round(base * (0.85 + 0.3 * random()))
}

// Whether a save's reply means "not saved yet, try again": no reply at all (offline), a server
// error (503 while the database is locked or down) or a "busy" reply. The change stays kept in
// this browser meanwhile. status is null when the request never got a reply.
export function shouldRetry (status, data) {
  return status === null || status >= 500 || Boolean(data && data.error === 'busy')
}

// The wait before the next retry: the backoff, or longer when the server asked for it with
// Retry-After (whole seconds, as the app sends on a 503; an HTTP date is ignored), at most 5 min.
export function nextRetryDelay (attempt, retryAfter, random = Math.random) {
  const backoff = retryDelay(attempt, random)
  if (!/^\d+$/.test(String(retryAfter ?? '').trim())) return backoff
  const asked = Math.min(Number(String(retryAfter).trim()), 300) * 1000
  return Math.max(backoff, asked)
}

export function storagePrefix (caseId, round) {
  return `auditapp:case:${caseId}:round:${round}:q:`
}

export function storageKey (caseId, round, questionId) {
  return storagePrefix(caseId, round) + questionId
}

// A stored answer (as the server keeps it) in the form a control shows: a checklist is stored
// as JSON ('["a","b"]', '[]' for "None of these") or "na".
export function controlValue (type, stored) {
  if (type !== 'checklist') return stored ?? null
  if (Array.isArray(stored)) return stored
  if (stored === null || stored === undefined || stored === '') return []
  if (stored === NOT_APPLICABLE) return [NOT_APPLICABLE]
  try {
    const ticked = JSON.parse(stored)
    return Array.isArray(ticked) ? (ticked.length ? ticked : ['none']) : []
  } catch {
    return []
  }
}

// The fields of a date answer in the GOV.UK date-input pattern (and its 24-hour time); mirrors
// auditapp.domain.question_sets.date_parts and split_stored_date.
export function dateParts (type) {
  return type === 'datetime' ? ['day', 'month', 'year', 'hour', 'minute'] : ['day', 'month', 'year']
}

const STORED_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:T(\d{1,2}):(\d{2}))?$/

// A stored date answer as the fields show it: '2022-09-05T14:30' -> {day: '5', month: '9',
// year: '2022', hour: '14', minute: '30'}. A value that is not a date goes whole in the year,
// as the server shows it, so it is refused with a message rather than silently erased.
export function splitStoredDate (type, stored) {
  const fields = Object.fromEntries(dateParts(type).map((part) => [part, '']))
  if (stored === null || stored === undefined || stored === '') return fields
  const match = STORED_DATE.exec(stored)
  if (!match) {
    fields.year = String(stored)
    return fields
  }
  const [, year, month, day, hour, minute] = match
  Object.assign(fields, { day: String(Number(day)), month: String(Number(month)), year })
  if (type === 'datetime' && hour !== undefined) {
    Object.assign(fields, { hour: String(Number(hour)).padStart(2, '0'), minute: minute ?? '' })
  }
  return fields
}

// 'empty' (nothing typed: no answer), 'partial' (not sent until whole) or 'complete'.
export function dateCompleteness (type, fields) {
  const filled = dateParts(type).map((part) => String(fields[part] ?? '').trim() !== '')
  if (filled.every((f) => !f)) return 'empty'
  return filled.every((f) => f) ? 'complete' : 'partial'
}
