// The consultation call inside the app: the camera's preview, join with video or audio only,
// the other person's video, the connection's quality, and what to do when it is poor.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api/client";
import { CallController } from "../call/controller";
import { bamakoDateTime } from "../format";
import { t, type TextKey } from "../texts/call";
import { navigate } from "../router";
import { session } from "../session";
import { Alert } from "../ui";

type Consultation = { id: string; status: string; starts_at: string; doctor_name?: string | null };

declare global {
  interface Window {
    /** For the browser tests and support: the call as the page holds it. */
    keneyaRoom?: Record<string, () => unknown>;
  }
}

function useVideo(stream: MediaStream | null) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const video = ref.current;
    if (video && video.srcObject !== stream) {
      video.srcObject = stream;
      if (stream) video.play().catch(() => undefined);
    }
  });
  return ref;
}

export function CallScreen(props: { id: string }) {
  const lang = session.language;
  const [call] = useState(
    () => new CallController(props.id, new URLSearchParams(location.search).get("relay") === "1", () => void load()),
  );
  const [consultation, setConsultation] = useState<Consultation | null>(null);
  const [, rerender] = useState(0);

  async function load() {
    const { data } = await api.GET("/api/v1/consultations/{consultation_id}", {
      params: { path: { consultation_id: props.id } },
    });
    if (data) setConsultation(data as Consultation);
  }

  useEffect(() => {
    const unsubscribe = call.subscribe(() => rerender((n) => n + 1));
    void load();
    void call.preview();
    const visible = () => document.visibilityState === "visible" && call.visible();
    const leave = () => call.leave();
    document.addEventListener("visibilitychange", visible);
    addEventListener("pagehide", leave);
    window.keneyaRoom = {
      state: () => call.state,
      presence: () => call.presence,
      role: () => call.role,
      audioOnly: () => call.audioOnly,
      quality: () => call.quality,
      peerConnection: () => call.pc,
      stats: () => call.stats(),
    };
    return () => {
      unsubscribe();
      document.removeEventListener("visibilitychange", visible);
      removeEventListener("pagehide", leave);
      call.leave();
      delete window.keneyaRoom;
    };
  }, [call]);

  const local = useVideo(call.audioOnly ? null : call.localStream);
  const remote = useVideo(call.remoteStream);
  const state = call.state;
  // A doctor goes back to their own page of the consultation (to complete it), a patient to theirs.
  const back = session.role === "doctor" ? `/doctor/consultations/${props.id}` : `/consultations/${props.id}`;
  const inCall = call.phase === "in_call";
  const remoteVideo = call.remoteStream?.getVideoTracks().some((track) => track.readyState === "live" && !track.muted);
  const peer = call.peerRole === "doctor" || call.peerRole === "patient" ? call.peerRole : "doctor";
  const presence = inCall && call.presence !== "unknown"
    ? t((call.presence === "absent" ? "peer_absent" : `peer_${call.presence}_${peer}`) as TextKey, lang)
    : "";
  const problem = call.problem
    ? `${t(call.problem.key === "error" ? "error" : call.problem.key, lang, { message: call.problem.detail ?? "" })}`
      + (call.problem.key === "error" && call.problem.detail ? ` (${call.problem.detail})` : "")
    : "";

  return (
    <section class="call" data-call={state}>
      <h1>{t("call", lang)}</h1>
      {consultation && (
        <p id="consultation" class="card consultation">
          <strong>{consultation.doctor_name ?? ""}</strong>{" "}
          <span>{bamakoDateTime(consultation.starts_at, lang)}</span>{" "}
          <span class="status" data-status={consultation.status}>
            {t(`status_${consultation.status}` as TextKey, lang)}
          </span>
        </p>
      )}
      <div class="stage">
        {/* Sound must play, so the remote video is never muted; captions do not exist for a live call. */}
        <video id="remote-video" ref={remote} autoplay playsInline />
        {!remoteVideo && (
          <p class="placeholder">
            {t(call.audioOnly && inCall ? "remote_audio_only" : "remote_placeholder", lang)}
          </p>
        )}
        <video id="local-video" ref={local} autoplay playsInline muted hidden={!call.localStream || call.audioOnly || call.noCamera} />
      </div>
      <div class="call-status">
        <p id="state" class="state" data-state={state} aria-live="polite">{t(`state_${state}` as TextKey, lang)}</p>
        <p id="peer" aria-live="polite">{presence}</p>
        {inCall && (
          <p id="quality" class="quality" data-quality={call.quality}>
            {t("quality", lang)} : <strong>{t(`quality_${call.quality}` as TextKey, lang)}</strong>
          </p>
        )}
        {call.noCamera && <p class="note">{t("no_camera", lang)}</p>}
      </div>
      <div id="problem"><Alert>{problem}</Alert></div>
      {call.phase === "idle" || call.phase === "preparing" ? (
        <div class="controls">
          <button id="join-video" class="primary wide" disabled={call.phase === "preparing"} onClick={() => void call.join(false)}>
            {t("join_video", lang)}
          </button>
          <button id="join-audio" class="wide" disabled={call.phase === "preparing"} onClick={() => void call.join(true)}>
            {t("join_audio", lang)}
          </button>
          <p class="hint">{t("audio_only_hint", lang)}</p>
        </div>
      ) : null}
      {inCall && (
        <div class="controls">
          <button id="mute" aria-pressed={call.micMuted ? "true" : "false"} onClick={() => call.toggleMic()}>
            {t(call.micMuted ? "unmute" : "mute", lang)}
          </button>
          {!call.audioOnly && !call.noCamera && (
            <button id="camera" aria-pressed={call.cameraOff ? "true" : "false"} onClick={() => call.toggleCamera()}>
              {t(call.cameraOff ? "camera_on" : "camera_off", lang)}
            </button>
          )}
          {!call.audioOnly && (
            <button id="switch-audio" class={call.quality === "poor" ? "primary" : ""} onClick={() => void call.switchToAudioOnly()}>
              {t("switch_audio_only", lang)}
            </button>
          )}
          <button id="hangup" class="danger" onClick={() => call.hangUp()}>{t("hangup", lang)}</button>
        </div>
      )}
      {call.phase === "ended" && (
        <div class="card ended">
          <p id="ended-text">{t(call.ended ?? "call_ended", lang)}</p>
          {call.canRejoin && (
            <div class="controls">
              <button id="rejoin" class="primary" onClick={() => void call.join(call.audioOnly)}>{t("rejoin", lang)}</button>
            </div>
          )}
        </div>
      )}
      <p>
        <a href={back} onClick={(event) => {
          event.preventDefault();
          navigate(back);
        }}>{t("back_to_consultation", lang)}</a>
      </p>
    </section>
  );
}
