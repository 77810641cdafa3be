// Starts Swagger UI on the API documentation page (a file of its own: the page runs no inline
// script).
//
// When the server requires bearer tokens, the OpenAPI document itself is behind them: the page
// then asks for a token before it can show anything, keeps it for this tab only (sessionStorage,
// shared with the log viewer, never in the URL), and hands it to Swagger UI's own Authorize
// dialog, where it can be changed.
const TOKEN_KEY = "actionlogkit-token";
const SCHEME = "bearerAuth";
const root = document.getElementById("swagger-ui");
const documentUrl = root.dataset.openapi;

function storedToken() {
  try {
    return window.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function keepToken(token) {
  try {
    if (token) window.sessionStorage.setItem(TOKEN_KEY, token);
    else window.sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage turned off: the token lives as long as the page
  }
}

// A small form above Swagger UI, built here (no markup of the page holds it).
function askForToken(rejected) {
  const form = document.createElement("form");
  form.id = "token-form";
  form.className = "swagger-ui";
  form.setAttribute("autocomplete", "off");
  const title = document.createElement("h2");
  title.textContent = "This API requires a bearer token";
  const note = document.createElement("p");
  note.textContent = rejected
    ? "The server did not accept that token; try another."
    : "Paste a token to read the API's document; it is kept for this tab only.";
  const input = document.createElement("input");
  input.id = "token-input";
  input.type = "password";
  input.spellcheck = false;
  input.setAttribute("aria-label", "Bearer token");
  const button = document.createElement("button");
  button.type = "submit";
  button.id = "token-submit";
  button.className = "btn authorize";
  button.textContent = "Use this token";
  form.append(title, note, input, " ", button);
  // Swagger UI's style sheet is the page's; these few rules are set as properties (the policy
  // allows no inline style element).
  form.style.padding = "1.5rem 2rem";
  form.style.fontFamily = "sans-serif";
  input.style.minWidth = "24rem";
  input.style.padding = "0.4rem";
  root.before(form);
  input.focus();
  return new Promise((resolve) => {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (!token) return;
      form.remove();
      resolve(token);
    });
  });
}

async function loadDocument() {
  let token = storedToken();
  for (;;) {
    const headers = { Accept: "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(documentUrl, { headers });
    if (response.status !== 401) {
      return [await response.json(), token];
    }
    const rejected = Boolean(token);
    keepToken(null);
    token = await askForToken(rejected);
    keepToken(token);
  }
}

loadDocument().then(([spec, token]) => {
  const schemes = (spec.components && spec.components.securitySchemes) || {};
  window.ui = window.SwaggerUIBundle({
    spec,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset],
    onComplete: () => {
      if (token && SCHEME in schemes) window.ui.preauthorizeApiKey(SCHEME, token);
    },
  });
});
