// Drafts of summaries and comments, kept in this browser while a member types.
//
// A save can fail after the text has left the page. When the session has
// ended, for example, the post is redirected to the login page and the text
// is dropped. This script copies the text of every form marked data-draft
// into localStorage as the member types, and offers it back when the form's
// page loads again. Pages work without this script, but without the copy.
//
// The page states the signed-in member in <body data-user-id>. A form
// states its address in data-draft, the kind of text in data-draft-noun, the
// size limit in data-draft-max-bytes, and data-draft-posted when it shows
// posted text that failed to save. After a successful save the next page
// lists the form's address in <body data-saved-drafts> (shortscience/drafts.py),
// and the draft is removed.
//
// A draft is stored under "shortscience:draft:<user id>:<form address>" as
// JSON {text, base, savedAt}. base records what the form showed when the
// draft was started: a fingerprint of the text, and the values of the
// form's data-draft-base fields (a summary's revision number). A draft is
// removed after its form is saved, on Discard, when its member submits the
// logout form (data-drafts-clear), and 30 days after its last change.
(function () {
  "use strict";

  var PREFIX = "shortscience:draft:";
  // sessionStorage item set when this tab submits a form that has a draft.
  // A login page reached instead of a save then tells the member the text is kept.
  var SUBMITTED_KEY = "shortscience:draft-submitted";
  var SAVE_DELAY_MS = 500;
  var DRAFT_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;
  var SUBMITTED_MAX_AGE_MS = 24 * 60 * 60 * 1000;

  function openStorage(name) {
    // Reading the property throws where the browser blocks storage, for
    // example when the visitor has turned off site data.
    try {
      var storage = window[name];
      storage.getItem(PREFIX);
      return storage;
    } catch (error) {
      return null;
    }
  }

  var local = openStorage("localStorage");
  var session = openStorage("sessionStorage");
  if (!local) {
    return;
  }
  var userId = document.body.dataset.userId || "";
  // Set while the logout form is submitted, so that no pending save puts a
  // draft back after the member's drafts were removed.
  var loggingOut = false;
  var flushes = [];

  function readJson(storage, key) {
    try {
      var value = JSON.parse(storage.getItem(key));
      return value !== null && typeof value === "object" ? value : null;
    } catch (error) {
      return null;
    }
  }

  function writeJson(storage, key, value) {
    try {
      storage.setItem(key, JSON.stringify(value));
      return true;
    } catch (error) {
      // QuotaExceededError when the storage is full, or SecurityError
      // when it was blocked after the page loaded.
      return false;
    }
  }

  function readDraft(key) {
    var draft = readJson(local, key);
    var valid =
      draft !== null &&
      typeof draft.text === "string" &&
      typeof draft.savedAt === "number" &&
      draft.base !== null &&
      typeof draft.base === "object" &&
      typeof draft.base.text === "string";
    return valid ? draft : null;
  }

  function draftKey(address) {
    return PREFIX + userId + ":" + address;
  }

  function keysStartingWith(prefix) {
    var keys = [];
    for (var i = 0; i < local.length; i++) {
      var key = local.key(i);
      if (key !== null && key.indexOf(prefix) === 0) {
        keys.push(key);
      }
    }
    return keys;
  }

  function removeExpiredDrafts() {
    var now = Date.now();
    keysStartingWith(PREFIX).forEach(function (key) {
      var draft = readDraft(key);
      if (draft === null || now - draft.savedAt > DRAFT_MAX_AGE_MS) {
        local.removeItem(key);
      }
    });
  }

  // A 53-bit string hash (cyrb53, public domain, by bryc), used to tell
  // whether the form's text changed since a draft started without storing
  // that text a second time.
  function fingerprint(text) {
    var h1 = 0xdeadbeef;
    var h2 = 0x41c6ce57;
    for (var i = 0; i < text.length; i++) {
      var code = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ code, 2654435761);
      h2 = Math.imul(h2 ^ code, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
    h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
    h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    var hash = 4294967296 * (2097151 & h2) + (h1 >>> 0);
    return text.length + ":" + hash.toString(36);
  }

  function utf8Length(text) {
    return new TextEncoder().encode(text).length;
  }

  // Matches the server's help text, which states limits in whole KB.
  function formatBytes(count) {
    return count >= 1024 ? Math.floor(count / 1024) + " KB" : count + " bytes";
  }

  function makeNotice(lines) {
    var notice = document.createElement("div");
    notice.className = "draft-notice";
    notice.setAttribute("role", "status");
    lines.forEach(function (line) {
      var paragraph = document.createElement("p");
      paragraph.textContent = line;
      notice.appendChild(paragraph);
    });
    return notice;
  }

  function makeButton(label, className) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = className;
    button.textContent = label;
    return button;
  }

  function setUpForm(form) {
    var textarea = form.querySelector("textarea[name=source]");
    if (!textarea || !form.dataset.draft) {
      return;
    }
    var key = draftKey(form.dataset.draft);
    var noun = form.dataset.draftNoun || "text";
    var maxBytes = Number(form.dataset.draftMaxBytes) || Infinity;
    var posted = form.hasAttribute("data-draft-posted");
    var baseFields = Array.prototype.slice.call(
      form.querySelectorAll("[data-draft-base]"),
    );
    var shownText = textarea.value;
    var shownBase = { text: fingerprint(shownText), fields: fieldValues() };
    var stored = readDraft(key);
    // Posted text that failed to save continues the stored draft, so the
    // draft keeps the base it started from.
    var base = posted && stored !== null ? stored.base : shownBase;
    var notice = null;
    var status = null;
    var timer = null;

    function fieldValues() {
      var values = {};
      baseFields.forEach(function (field) {
        values[field.name] = field.value;
      });
      return values;
    }

    function restoreFields(values) {
      if (values === null || typeof values !== "object") {
        return;
      }
      baseFields.forEach(function (field) {
        if (typeof values[field.name] === "string") {
          field.value = values[field.name];
        }
      });
    }

    function setStatus(message) {
      if (status === null) {
        if (!message) {
          return;
        }
        status = document.createElement("p");
        status.className = "draft-status";
        status.setAttribute("role", "status");
        textarea.insertAdjacentElement("afterend", status);
      }
      status.textContent = message;
      status.hidden = !message;
    }

    function save() {
      clearTimeout(timer);
      timer = null;
      if (loggingOut) {
        return;
      }
      var text = textarea.value;
      var unchanged = !posted && text === shownText && base === shownBase;
      if (!text.trim() || unchanged) {
        local.removeItem(key);
        setStatus("");
        return;
      }
      if (utf8Length(text) > maxBytes) {
        setStatus(
          "This " + noun + " is over the " + formatBytes(maxBytes) +
            " limit, so this browser stopped updating its draft. " +
            "Shorten the text to save it.",
        );
        return;
      }
      var draft = { text: text, base: base, savedAt: Date.now() };
      if (!writeJson(local, key, draft)) {
        setStatus(
          "This browser could not keep a draft of your " + noun +
            " because its storage is full or blocked. " +
            "Copy the text somewhere safe before you leave the page.",
        );
        return;
      }
      setStatus("");
    }

    function flush() {
      if (timer !== null) {
        save();
      }
    }

    function closeNotice() {
      if (notice !== null) {
        notice.remove();
        notice = null;
      }
    }

    function offer(draft) {
      var lines = [
        "You have an unsaved draft of this " + noun + " in this browser, " +
          "last changed " + new Date(draft.savedAt).toLocaleString() + ".",
      ];
      if (!posted && draft.base.text !== shownBase.text) {
        lines.push(
          "The " + noun + " has changed since this draft was written. " +
            "Restoring the draft replaces the newer text below.",
        );
        if (baseFields.length > 0) {
          lines.push(
            "When you save the restored draft, the page shows the newer " +
              "version beside yours so that you can merge them.",
          );
        }
      }
      notice = makeNotice(lines);
      var restore = makeButton("Restore draft", "draft-restore");
      var discard = makeButton("Discard", "draft-discard");
      notice.appendChild(restore);
      notice.appendChild(document.createTextNode(" "));
      notice.appendChild(discard);

      restore.addEventListener("click", function () {
        textarea.value = draft.text;
        // Putting back the revision the draft started from lets the server
        // catch a save over a newer revision as a conflict.
        restoreFields(draft.base.fields);
        base = draft.base;
        closeNotice();
        // Other scripts (the live preview) and the draft itself follow input.
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
        textarea.focus();
      });
      discard.addEventListener("click", function () {
        local.removeItem(key);
        closeNotice();
        textarea.focus();
      });

      form.insertBefore(notice, form.firstChild);
      var details = form.closest("details");
      if (details !== null) {
        details.open = true;
      }
    }

    textarea.addEventListener("input", function () {
      // While the notice is open, typing must not overwrite the stored draft
      // before the member chose to restore or discard it.
      if (notice !== null) {
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(save, SAVE_DELAY_MS);
    });

    form.addEventListener("submit", function () {
      // The draft must hold the submitted text in case the save fails. Only
      // submitting the shown text unchanged leaves an offered draft alone.
      if (notice === null || textarea.value !== shownText) {
        save();
      }
      if (session !== null && readDraft(key) !== null) {
        writeJson(session, SUBMITTED_KEY, { noun: noun, submittedAt: Date.now() });
      }
    });

    flushes.push(flush);

    if (stored !== null && stored.text !== shownText) {
      offer(stored);
    } else if (stored !== null && !posted) {
      // The form shows the saved text, and it equals the draft.
      local.removeItem(key);
    }
  }

  function removeSavedDrafts() {
    var addresses;
    try {
      addresses = JSON.parse(document.body.dataset.savedDrafts || "[]");
    } catch (error) {
      return;
    }
    if (!Array.isArray(addresses)) {
      return;
    }
    addresses.forEach(function (address) {
      if (typeof address === "string") {
        local.removeItem(draftKey(address));
      }
    });
  }

  // After a form post was redirected to a page without a member (the login
  // page), tell the visitor that the text is kept.
  function explainSubmittedDraft() {
    if (session === null) {
      return;
    }
    var submitted = readJson(session, SUBMITTED_KEY);
    if (submitted === null) {
      return;
    }
    var fresh =
      typeof submitted.submittedAt === "number" &&
      Date.now() - submitted.submittedAt < SUBMITTED_MAX_AGE_MS;
    if (userId || !fresh) {
      session.removeItem(SUBMITTED_KEY);
      return;
    }
    var noun = typeof submitted.noun === "string" ? submitted.noun : "text";
    var main = document.getElementById("main");
    if (main !== null) {
      var notice = makeNotice([
        "Your " + noun + " was not saved because you are not logged in. " +
          "This browser keeps a draft of it, and the form offers to " +
          "restore it after you log in again.",
      ]);
      main.insertBefore(notice, main.firstChild);
    }
  }

  function removeMemberDrafts() {
    loggingOut = true;
    keysStartingWith(draftKey("")).forEach(function (key) {
      local.removeItem(key);
    });
    if (session !== null) {
      session.removeItem(SUBMITTED_KEY);
    }
  }

  function flushAll() {
    flushes.forEach(function (flush) {
      flush();
    });
  }

  removeExpiredDrafts();
  explainSubmittedDraft();
  if (!userId) {
    return;
  }
  removeSavedDrafts();
  document.querySelectorAll("form[data-drafts-clear]").forEach(function (form) {
    form.addEventListener("submit", removeMemberDrafts);
  });
  document.querySelectorAll("form[data-draft]").forEach(setUpForm);
  window.addEventListener("pagehide", flushAll);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      flushAll();
    }
  });
})();
