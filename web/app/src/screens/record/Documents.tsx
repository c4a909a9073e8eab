// Documents: a photo from the phone's camera or a file, uploaded the records service's way (ask
// for a presigned PUT, send the file straight to storage, confirm: only then is it in the
// record), and the documents already there, each downloaded through a short-lived link.
import { useState } from "preact/hooks";
import { api } from "../../api/client";
import { bamakoDateTime } from "../../format";
import { t, type TextKey } from "../../texts/record";
import { CATEGORIES, fileProblem, fileSize, titleOf } from "../../record";
import { session } from "../../session";
import { Alert, Field } from "../../ui";
import { call, Done, me, NONE, Page, Select, Show, useLoad } from "./parts";

type Category = (typeof CATEGORIES)[number];

/** PUT the file to the presigned URL, reporting progress (fetch cannot, on a slow network). */
function put(url: string, headers: Record<string, string>, file: File, progress: (percent: number) => void):
  Promise<boolean> {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open("PUT", url);
    // Content-Length is the browser's to set (from the file); the signature covers it.
    for (const [name, value] of Object.entries(headers)) {
      if (name.toLowerCase() !== "content-length") request.setRequestHeader(name, value);
    }
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) progress(Math.round((event.loaded / event.total) * 100));
    };
    request.onload = () => resolve(request.status >= 200 && request.status < 300);
    request.onerror = () => resolve(false);
    request.ontimeout = () => resolve(false);
    request.send(file);
  });
}

export function Documents() {
  const lang = session.language;
  const [loaded, reload] = useLoad(() => call(api.GET("/api/v1/records/{patient_id}/attachments", {
    params: { path: { patient_id: me() }, query: { limit: 100 } },
  }), lang));
  const [file, setFile] = useState<File | null>(null);
  const [title, setTitle] = useState("");
  const [category, setCategory] = useState<Category>("lab_result");
  const [fileError, setFileError] = useState("");
  const [problem, setProblem] = useState(NONE);
  const [percent, setPercent] = useState<number | null>(null);
  const [done, setDone] = useState("");
  const [inputs, setInputs] = useState(0); // to empty the file inputs once uploaded

  function choose(event: Event) {
    const chosen = (event.target as HTMLInputElement).files?.[0] ?? null;
    setFile(chosen);
    setDone("");
    setProblem(NONE);
    const wrong = fileProblem(chosen);
    setFileError(wrong && chosen ? t(wrong, lang) : "");
    if (chosen && !title.trim()) setTitle(titleOf(chosen.name));
  }

  async function upload(event: Event) {
    event.preventDefault();
    if (percent !== null) return;
    setDone("");
    const wrong = fileProblem(file);
    const missingTitle = !title.trim();
    setFileError(wrong ? t(wrong, lang) : "");
    setProblem(missingTitle ? { message: "", fields: { title: t("rec_required", lang) } } : NONE);
    if (wrong || missingTitle || !file) return;
    setPercent(0);
    const started = await call(api.POST("/api/v1/records/{patient_id}/attachments", {
      params: { path: { patient_id: me() } },
      body: { category, title: title.trim(), content_type: file.type as "image/png", size: file.size },
    }), lang);
    if (!started.ok || !started.data.upload) {
      setPercent(null);
      return setProblem(started.ok ? { message: t("error", lang), fields: {} } : started.problem);
    }
    const sent = await put(started.data.upload.url, started.data.upload.headers, file, setPercent);
    if (!sent) {
      setPercent(null);
      return setProblem({ message: t("rec_upload_failed", lang), fields: {} });
    }
    const confirmed = await call(api.POST("/api/v1/records/{patient_id}/attachments/{attachment_id}/confirm", {
      params: { path: { patient_id: me(), attachment_id: started.data.id } },
    }), lang);
    if (!confirmed.ok) {
      setPercent(null);
      return setProblem(confirmed.problem);
    }
    await reload();
    setPercent(null);
    setFile(null);
    setTitle("");
    setInputs((n) => n + 1);
    setProblem(NONE);
    setDone(t("rec_uploaded", lang));
  }

  async function download(attachmentId: string) {
    const found = await call(api.GET("/api/v1/records/{patient_id}/attachments/{attachment_id}", {
      params: { path: { patient_id: me(), attachment_id: attachmentId } },
    }), lang);
    if (!found.ok || !found.data.download_url) {
      return setProblem(found.ok ? { message: t("error", lang), fields: {} } : found.problem);
    }
    // A short-lived link that answers with the file as an attachment: the page stays.
    location.assign(found.data.download_url);
  }

  const busy = percent !== null;
  return (
    <Page title="rec_attachments">
      <form class="card" onSubmit={upload} noValidate aria-labelledby="rec-doc-title">
        <h2 id="rec-doc-title">{t("rec_add_document", lang)}</h2>
        <div class="field" key={`camera-${inputs}`}>
          <label for="rec-camera" class="button file">{t("rec_take_photo", lang)}</label>
          <input id="rec-camera" class="visually-hidden" type="file" accept="image/*" capture="environment"
            aria-describedby={fileError ? "rec-file-error" : undefined} onChange={choose} disabled={busy} />
        </div>
        <div class="field" key={`file-${inputs}`}>
          <label for="rec-file">{t("rec_choose_file", lang)}</label>
          <input id="rec-file" type="file" accept="image/jpeg,image/png,application/pdf"
            aria-invalid={fileError ? "true" : undefined}
            aria-describedby={fileError ? "rec-file-error" : undefined} onChange={choose} disabled={busy} />
        </div>
        {file && <p class="muted">{t("rec_chosen", lang, { name: file.name, size: fileSize(file.size, lang) })}</p>}
        {(fileError || problem.fields.file) && (
          <p id="rec-file-error" class="field-error">{fileError || problem.fields.file}</p>
        )}
        <Select label={t("rec_category", lang)} name="category" value={category} error={problem.fields.category}
          options={CATEGORIES.map((c) => ({ value: c, label: t(`rec_cat_${c}` as TextKey, lang) }))}
          onChange={(value) => setCategory(value as Category)} />
        <Field label={t("rec_title", lang)} name="title" value={title} onInput={setTitle}
          error={problem.fields.title} />
        <Alert>{problem.message}</Alert>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t("rec_uploading", lang, { percent: percent ?? 0 }) : t("rec_upload", lang)}
        </button>
        {busy && <progress max={100} value={percent ?? 0} aria-label={t("rec_upload", lang)} />}
        {done && <Done>{done}</Done>}
      </form>
      <Show loaded={loaded} retry={reload}>
        {(page) => (
          <>
            {page.items.length === 0 && <p>{t("rec_nothing", lang)}</p>}
            <ul class="list">
              {page.items.map((attachment) => (
                <li key={attachment.id} class="card entry">
                  <strong id={`doc-${attachment.id}`}>{attachment.title}</strong>
                  <span>{t(`rec_cat_${attachment.category}` as TextKey, lang)} · {fileSize(attachment.size, lang)}</span>
                  <span class="muted">{bamakoDateTime(attachment.created_at, lang)}</span>
                  <div class="actions">
                    <button type="button" aria-describedby={`doc-${attachment.id}`}
                      onClick={() => download(attachment.id)}>{t("rec_download", lang)}</button>
                  </div>
                </li>
              ))}
            </ul>
          </>
        )}
      </Show>
    </Page>
  );
}
