// Parley's local web chat. Plain browser JavaScript, no build step. Every node is built with
// textContent, never from HTML strings, so nothing a user or the bot writes can run as markup.
'use strict';

const state = {
  conversationId: null,
  userId: localUserId(),
  intents: [],
  entityTypes: [],
};

const log = document.getElementById('log');
const form = document.getElementById('composer');
const input = document.getElementById('text');
const errorLine = document.getElementById('error');

/** One id per browser, so feedback is one row per person and message. */
function localUserId() {
  const key = 'parley-user-id';
  let id = localStorage.getItem(key);
  if (!id) {
    id = `web-${crypto.randomUUID()}`;
    localStorage.setItem(key, id);
  }
  return id;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

async function api(path, body) {
  const response = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message = data.error ? data.error.message : `The bot answered ${response.status}.`;
    throw new Error(message);
  }
  return { status: response.status, data };
}

async function loadMeta() {
  try {
    const { data } = await api('/api/meta');
    state.intents = data.intents;
    state.entityTypes = data.entityTypes;
    document.getElementById('model').textContent = `model ${data.modelVersion}`;
    input.maxLength = data.maxTextLength;
  } catch (err) {
    errorLine.textContent = err.message;
  }
}

async function send(text) {
  errorLine.textContent = '';
  log.append(element('li', 'user', text));
  const body = { text, userId: state.userId };
  if (state.conversationId) body.conversationId = state.conversationId;
  try {
    const { data } = await api('/api/messages', body);
    state.conversationId = data.conversationId;
    if (data.reply) log.append(botReply(data, text));
  } catch (err) {
    errorLine.textContent = err.message;
  }
}

function botReply(data, userText) {
  const item = element('li', 'bot');
  item.dataset.messageId = data.messageId;
  item.append(element('div', 'reply', data.reply.text));
  if (data.prediction) {
    const { intent } = data.prediction;
    const line = `${intent.name} ${(intent.confidence * 100).toFixed(0)}%`;
    item.append(element('div', 'meta', line));
  }
  const predicted = data.prediction ? data.prediction.intent.name : undefined;
  item.append(feedbackControls(data.messageId, userText, predicted));
  return item;
}

function feedbackControls(messageId, userText, predicted) {
  const box = element('div', 'feedback');
  const status = element('span', 'status');
  const up = element('button', 'thumb', '👍 Good');
  const down = element('button', 'thumb', '👎 Bad');
  up.type = down.type = 'button';
  up.dataset.kind = 'up';
  down.dataset.kind = 'down';
  up.setAttribute('aria-label', 'Good answer');
  down.setAttribute('aria-label', 'Bad answer');
  const fix = element('details', 'fix');
  fix.append(
    element('summary', null, 'Correct it'),
    correctionForm(messageId, userText, predicted, status),
  );

  for (const button of [up, down]) {
    button.addEventListener('click', async () => {
      const ok = await giveFeedback({ messageId, kind: button.dataset.kind }, status);
      if (!ok) return;
      up.setAttribute('aria-pressed', String(button === up));
      down.setAttribute('aria-pressed', String(button === down));
    });
  }
  box.append(up, down, fix, status);
  return box;
}

/** Intent from a list; entities typed as `type=value` pairs, found in the message text. */
function correctionForm(messageId, userText, predicted, status) {
  const form = element('form', 'correction');
  const intent = element('select');
  intent.name = 'intent';
  for (const name of state.intents) {
    const option = element('option', null, name);
    option.value = name;
    option.selected = name === predicted;
    intent.append(option);
  }
  const entities = element('input');
  entities.name = 'entities';
  entities.placeholder = `entities, e.g. ${state.entityTypes[0] || 'type'}=value; …`;
  const submit = element('button', null, 'Send correction');
  submit.type = 'submit';
  form.append(intent, entities, submit);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    let spans;
    try {
      spans = parseEntities(entities.value, userText);
    } catch (err) {
      status.textContent = err.message;
      return;
    }
    const feedback = { messageId, kind: 'correction', intent: intent.value, entities: spans };
    await giveFeedback(feedback, status);
  });
  return form;
}

/** `order_id=A1234; email=a@b.test` -> spans at the first place each value occurs. */
function parseEntities(text, userText) {
  const spans = [];
  for (const part of text
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const at = part.indexOf('=');
    const type = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    const start = userText.indexOf(value);
    if (at < 1 || !value || start < 0) {
      throw new Error(`"${part}": write type=value, with a value from your message.`);
    }
    spans.push({ type, start, end: start + value.length });
  }
  return spans;
}

async function giveFeedback(feedback, status) {
  try {
    const { status: code, data } = await api('/api/feedback', {
      ...feedback,
      userId: state.userId,
    });
    status.textContent = code === 202 ? data.message : 'Thanks for the feedback.';
    return true;
  } catch (err) {
    status.textContent = err.message;
    return false;
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = input.value;
  input.value = '';
  if (text.trim()) send(text);
});

document.getElementById('new-conversation').addEventListener('click', () => {
  state.conversationId = null;
  log.replaceChildren();
});

loadMeta();
