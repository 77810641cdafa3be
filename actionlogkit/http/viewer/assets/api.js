// Every request of the viewer goes through api(): the one place that talks to the server, so
// that credentials (a bearer token) are added in one place when the API requires them.

const base = document.querySelector('meta[name="actionlogkit-api"]').content;

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

// GET base + path with the given query parameters (null and undefined ones left out).
export async function api(path, params = {}) {
  const url = new URL(base + path, window.location.href);
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined) url.searchParams.set(name, String(value));
  }
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}
