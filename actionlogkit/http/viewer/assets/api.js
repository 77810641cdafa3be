// Every request of the viewer goes through api(): the one place that talks to the server, and so
// the one place that adds the bearer token when the API requires one.
//
// The token is asked for when the API first answers 401, and kept in sessionStorage: for this
// tab only, gone when the tab closes, never in the URL (which is shared, bookmarked and logged).

const base = document.querySelector('meta[name="actionlogkit-api"]').content;
const TOKEN_KEY = "actionlogkit-token";

export class ApiError extends Error {
  constructor(status, body) {
    const problems = (body && body.errors) || [];
    const detail = problems
      .map((e) => (e.field ? `${e.field}: ${e.message}` : e.message))
      .join("; ");
    super(`${(body && body.message) || `HTTP ${status}`}${detail ? ` (${detail})` : ""}`);
    this.status = status;
    this.body = body;
  }
}

function storedToken() {
  try {
    return window.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null; // storage turned off: the token lives as long as the page
  }
}

let pageToken = storedToken();

function keepToken(token) {
  pageToken = token;
  try {
    if (token) window.sessionStorage.setItem(TOKEN_KEY, token);
    else window.sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage turned off: pageToken still holds it
  }
}

// The dialog of index.html, shown once however many requests met the 401 meanwhile.
let asking = null;

function promptForToken(rejected) {
  const dialog = document.getElementById("token-dialog");
  const form = document.getElementById("token-form");
  const input = document.getElementById("token-input");
  const problem = document.getElementById("token-problem");
  problem.hidden = !rejected;
  problem.textContent = rejected ? "The server did not accept that token; try another." : "";
  input.value = "";
  return new Promise((resolve) => {
    function submitted(event) {
      event.preventDefault();
      const token = input.value.trim();
      if (!token) return;
      finish(token);
    }
    function cancelled() {
      finish(null);
    }
    function finish(token) {
      form.removeEventListener("submit", submitted);
      dialog.removeEventListener("cancel", cancelled);
      if (dialog.open) dialog.close();
      input.value = "";
      resolve(token);
    }
    form.addEventListener("submit", submitted);
    dialog.addEventListener("cancel", cancelled);
    dialog.showModal();
    input.focus();
    // Counted on the page, as the loads are, for whoever watches it (the browser tests).
    document.body.dataset.tokenPrompts = String(Number(document.body.dataset.tokenPrompts || 0) + 1);
  });
}

function askForToken(rejected) {
  if (!asking) {
    asking = promptForToken(rejected).finally(() => {
      asking = null;
    });
  }
  return asking;
}

async function send(url, token) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(url, { headers, credentials: "same-origin" });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return [response, body];
}

// GET base + path with the given query parameters (null and undefined ones left out).
export async function api(path, params = {}) {
  const url = new URL(base + path, window.location.href);
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined) url.searchParams.set(name, String(value));
  }
  for (;;) {
    const sent = pageToken;
    const [response, body] = await send(url, sent);
    if (response.status !== 401) {
      if (!response.ok) throw new ApiError(response.status, body);
      return body;
    }
    if (pageToken !== sent) continue; // a token was given meanwhile: try it
    if (asking) {
      await asking;
      if (pageToken !== sent) continue;
      throw new ApiError(response.status, body);
    }
    if (sent) keepToken(null); // the token was refused (rotated, or mistyped)
    const token = await askForToken(Boolean(sent));
    if (!token) throw new ApiError(response.status, body);
    keepToken(token);
  }
}
