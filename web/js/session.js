// The login kept in localStorage (so a reload and every tab stay logged in), the token's
// expiry, and the REST API with that token (same origin only: the token never leaves Parley).

export const SESSION_KEY = "parley.session";

export function storedSession() {
  try {
    const value = JSON.parse(localStorage.getItem(SESSION_KEY));
    return value && typeof value.token === "string" && value.user && value.user.id ? value : null;
  } catch {
    return null;
  }
}

export function saveSession(value) {
  localStorage.setItem(SESSION_KEY, JSON.stringify(value));
}

export function forgetSession() {
  localStorage.removeItem(SESSION_KEY);
}

// The token's `exp` in milliseconds, or null.
export function tokenExpiry(token) {
  try {
    const claims = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return typeof claims.exp === "number" ? claims.exp * 1000 : null;
  } catch {
    return null;
  }
}

// {status, data}; `token` may be null (log in, sign up).
export async function api(method, path, { body, token } = {}) {
  const headers = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "omit", cache: "no-store",
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    // an empty or non-JSON body: the status tells enough
  }
  return { status: response.status, data };
}
