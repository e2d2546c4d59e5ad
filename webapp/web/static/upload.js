// Episode form: each chosen media file is sent on its own with XHR as the raw request body,
// so the server streams it to disk and the browser can show real upload progress.
// The server answers with what it found in the file; empty title and speakers are filled in
// from the file's tags. The form itself is submitted normally, carrying the upload ids.
(() => {
  const form = document.getElementById("episode-form");
  if (!form) return;
  const input = document.getElementById("media-files");
  const list = document.getElementById("upload-list");
  const ids = form.querySelector("input[name=upload_ids]");
  const save = document.getElementById("save-episode");
  const status = document.getElementById("upload-status");
  const token = form.querySelector("input[name=csrf_token]").value;
  const maxBytes = Number(form.dataset.maxBytes);
  let running = 0;

  const duration = (seconds) => {
    const total = Math.round(seconds);
    const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    const pad = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
  };
  const megabytes = (n) => (n / 1048576).toFixed(1) + " MB";

  const setBusy = (delta) => {
    running += delta;
    save.disabled = running > 0;
    status.textContent = running > 0 ? `Uploading ${running} file(s)…` : "";
  };

  const addId = (id) => {
    const current = ids.value ? ids.value.split(",") : [];
    current.push(id);
    ids.value = current.join(",");
  };

  const fillFromTags = (info) => {
    const tags = info.tags || {};
    const title = form.querySelector("[name=title]");
    if (title && !title.value.trim() && tags.title) title.value = tags.title;
    const persons = form.querySelector("[name=persons]");
    if (persons && !persons.value.trim() && tags.artist) persons.value = tags.artist;
  };

  const row = (file) => {
    const li = document.createElement("li");
    li.className = "upload";
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = `${file.name} (${megabytes(file.size)})`;
    const bar = document.createElement("progress");
    bar.max = file.size || 1;
    bar.value = 0;
    const note = document.createElement("span");
    note.className = "note";
    li.append(name, bar, note);
    list.append(li);
    return { li, bar, note };
  };

  const fail = (ui, message) => {
    ui.li.classList.add("failed");
    ui.note.textContent = message;
  };

  const upload = (file) => {
    const ui = row(file);
    if (file.size > maxBytes) {
      fail(ui, `Too large: the limit is ${megabytes(maxBytes)}.`);
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.dataset.uploadUrl);
    xhr.setRequestHeader("X-CSRFToken", token);
    xhr.setRequestHeader("X-Filename", encodeURIComponent(file.name));
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) {
        ui.bar.max = event.total;
        ui.bar.value = event.loaded;
        ui.note.textContent = `${Math.floor((100 * event.loaded) / event.total)}%`;
      }
    };
    xhr.onload = () => {
      setBusy(-1);
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      if (xhr.status === 201 && body) {
        ui.bar.value = ui.bar.max;
        ui.li.classList.add("done");
        ui.li.dataset.uploadId = body.upload_id;
        ui.note.textContent = `${body.kind}, ${body.mime_type}, ${duration(body.duration)}`;
        addId(body.upload_id);
        fillFromTags(body);
      } else if (body && body.message) {
        fail(ui, body.message);
      } else {
        fail(ui, `Upload refused (HTTP ${xhr.status}); your sign-in may have expired: reload the page.`);
      }
    };
    xhr.onerror = () => {
      setBusy(-1);
      fail(ui, "The upload was interrupted (network error or file too large). Try again.");
    };
    setBusy(1);
    xhr.send(file);
  };

  input.addEventListener("change", () => {
    Array.from(input.files).forEach(upload);
    input.value = "";
  });
  form.addEventListener("submit", (event) => {
    if (running > 0) event.preventDefault();
  });
})();
