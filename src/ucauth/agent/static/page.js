// The clerk's page: polls GET /api/status, sends the PIN once per click, shows the token.
// No inline script (CSP script-src 'self'); the page's own strings come in #page-data.
// The five steps' titles and messages come localized from the agent's API (docs/agent.md).
"use strict";

(function () {
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const t = data.messages;
  const POLL_MS = 1000;
  const BEFORE_PIN = ["reader", "card", "server", "account"];
  const REQUEST_ACCESS = ["account_not_registered", "account_revoked"];

  const $ = (id) => document.getElementById(id);
  const pinForm = $("pin-form");
  const pinInput = $("pin");
  const pinSubmit = $("pin-submit");

  let status = null; // the last /api/status answer; null until the first, or when unreachable
  let reachable = true;
  let session = null; // {username, token, expires_at} on screen
  let submitting = false;
  let loginError = null; // the refusal of the last PIN submitted, for the card it was typed for
  let loginCard = null; // the card step's detail.cid when that PIN was submitted
  let pageNotice = null; // a notice decided by the page itself (logged out)

  // A hung agent must not stall the page: status answers in milliseconds, a login within the
  // card's and the server's time limits.
  function api(method, path, body, timeoutMs = 5000) {
    const init = {
      method,
      headers: { Accept: "application/json", "Accept-Language": data.lang },
      cache: "no-store",
      credentials: "same-origin",
      signal: AbortSignal.timeout(timeoutMs),
    };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const url = path + (path.includes("?") ? "&" : "?") + "lang=" + data.lang;
    return fetch(url, init).then((response) =>
      response
        .json()
        .catch(() => ({}))
        .then((json) => ({ ok: response.ok, json })),
    );
  }

  function step(id) {
    return (status && status.steps.find((s) => s.id === id)) || null;
  }

  function cardId() {
    const card = step("card");
    return card && card.state === "ok" ? card.detail.cid : null;
  }

  // Steps 1-4 are done and the card can still take a PIN.
  function ready() {
    const pin = step("pin");
    return (
      BEFORE_PIN.every((id) => (step(id) || {}).state === "ok") &&
      !(pin && pin.code === "pin_blocked") &&
      !status.login_in_progress
    );
  }

  // --- rendering --------------------------------------------------------------------------

  function renderSteps() {
    for (const item of document.querySelectorAll(".step")) {
      const current = step(item.dataset.step);
      const state = reachable && current ? current.state : "unknown";
      item.dataset.state = state;
      item.dataset.code = current ? current.code : "";
      if (current) {
        item.querySelector(".step-title").textContent = item.dataset.index + ". " + current.title;
      }
      item.querySelector(".step-detail").textContent = reachable && current ? current.message : "";
      item.querySelector(".step-state").textContent = t["state_" + state];
    }
  }

  function showNotice(text, kind, link) {
    $("notice").hidden = !text;
    $("notice").dataset.kind = kind || "error";
    $("notice-text").textContent = text || "";
    const anchor = $("notice-link");
    anchor.hidden = !link;
    if (link) anchor.href = link;
  }

  function renderNotice() {
    if (!reachable) return showNotice(t.agent_unreachable);
    if (!status) return showNotice(null);
    // While logged in, a missing card is normal: the reader serves patients' cards.
    const ids = session ? ["server", "account"] : BEFORE_PIN;
    const problem = ids.map(step).find((s) => s && s.state === "error");
    if (problem) {
      const link = REQUEST_ACCESS.includes(problem.code) ? status.access_request_url : null;
      return showNotice(problem.message, "error", link);
    }
    if (loginError) return showNotice(loginError.message, "error", loginError.link);
    const pin = step("pin");
    if (!session && pin && pin.state === "error") return showNotice(pin.message);
    if (!session && pin && pin.code === "session_expired") return showNotice(pin.message, "info");
    if (pageNotice) return showNotice(pageNotice, "info");
    showNotice(null);
  }

  function renderPinForm() {
    pinForm.hidden = Boolean(session);
    const enabled = reachable && ready() && !submitting && !session;
    const wasDisabled = pinInput.disabled;
    pinInput.disabled = !enabled;
    pinSubmit.disabled = !enabled;
    pinSubmit.textContent = submitting ? t.pin_submitting : t.pin_submit;
    $("pin-hint").textContent = enabled || submitting ? t.pin_hint : t.pin_not_ready;
    if (enabled && wasDisabled) pinInput.focus();
  }

  function formatExpiry(iso) {
    const when = new Date(iso);
    if (Number.isNaN(when.getTime())) return iso || "";
    return new Intl.DateTimeFormat(data.lang === "th" ? "th-TH" : "en-GB", {
      dateStyle: "medium",
      timeStyle: "short",
      timeZone: data.time_zone,
    }).format(when);
  }

  function renderResult() {
    $("result").hidden = !session;
    if (!session) return;
    $("username").textContent = session.username;
    $("token").textContent = session.token;
    $("expires").dateTime = session.expires_at;
    $("expires").textContent = formatExpiry(session.expires_at);
    $("search-username").value = session.username;
    $("search-password").value = session.token;
    const searchUrl = status && status.search_url;
    $("search-form").hidden = !searchUrl;
    if (searchUrl) $("search-form").action = searchUrl.replace(/\/+$/, "") + "/login";
  }

  function render() {
    renderSteps();
    renderNotice();
    renderPinForm();
    renderResult();
  }

  // --- status polling ---------------------------------------------------------------------

  function applyStatus(next) {
    status = next;
    reachable = true;
    // The session is the agent's: a login elsewhere replaces it, logout and midnight end it.
    if (!submitting) session = next.session;
    if (session) pageNotice = null;
    if (loginError && cardId() !== loginCard) loginError = null;
  }

  function poll() {
    api("GET", "/api/status")
      .then((answer) => {
        if (answer.ok) applyStatus(answer.json);
        else reachable = false;
      })
      .catch(() => (reachable = false))
      .finally(() => {
        render();
        window.setTimeout(poll, POLL_MS);
      });
  }

  // --- actions ----------------------------------------------------------------------------

  pinInput.addEventListener("input", () => {
    pinInput.value = pinInput.value.replace(/\D+/g, "").slice(0, 4);
  });

  pinForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (submitting || !ready()) return;
    const pin = pinInput.value;
    if (!/^\d{4}$/.test(pin)) {
      loginError = { message: t.pin_incomplete };
      loginCard = cardId();
      render();
      pinInput.focus();
      return;
    }
    // One attempt per click: the field is cleared and the page never sends a PIN again.
    pinInput.value = "";
    submitting = true;
    loginError = null;
    pageNotice = null;
    loginCard = cardId();
    render();
    api("POST", "/api/login", { pin }, 60000)
      .then((answer) => {
        if (answer.ok) {
          session = answer.json;
          return;
        }
        const error = answer.json.error || {};
        const link = REQUEST_ACCESS.includes(error.code) && status ? status.access_request_url : null;
        loginError = { message: error.message || t.agent_unreachable, link };
      })
      .catch(() => (loginError = { message: t.agent_unreachable }))
      .finally(() => {
        submitting = false;
        render();
      });
  });

  $("logout").addEventListener("click", () => {
    api("POST", "/api/logout", {})
      .then((answer) => {
        if (!answer.ok) throw new Error("logout refused");
        session = null;
        pageNotice = t.logged_out;
      })
      .catch(() => (loginError = { message: t.logout_failed }))
      .finally(render);
  });

  function copy(button) {
    const text = $(button.dataset.copy).textContent;
    const done = (copied) => {
      button.textContent = copied ? t.copied : t.copy_failed;
      button.dataset.copied = String(copied);
      window.setTimeout(() => {
        button.textContent = t.copy_button;
        delete button.dataset.copied;
      }, 2000);
    };
    const failed = () => {
      // Select the text so that Ctrl+C still works.
      window.getSelection().selectAllChildren($(button.dataset.copy));
      done(false);
    };
    if (!navigator.clipboard) return failed();
    navigator.clipboard.writeText(text).then(() => done(true), failed);
  }

  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", () => copy(button));
  }

  render();
  poll();
})();
