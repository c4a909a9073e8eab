// The consultation room: sign in, see the consultation, join the video call, get notifications.
//
// The call follows the signaling protocol of the signaling service (its chalicelib/protocol.py):
// the doctor offers and the patient answers; each side starts a fresh RTCPeerConnection on
// `joined` with the peer present, `peer_joined` or `peer_reconnected`; ICE candidates trickle
// both ways; the doctor repairs a failed ICE connection with an ICE-restart offer.
"use strict";

(() => {
  const SESSION_KEY = "keneya.session";
  const LANGUAGE_KEY = "keneya.language";
  const TIME_ZONE = "Africa/Bamako";
  // Mobile NATs and carrier proxies drop a silent connection within a minute or two.
  const PING_MS = 25000;
  const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000];
  // The server closes the socket after `left`; this is how long it gets before we do.
  const LEAVE_GRACE_MS = 2000;
  const TOAST_MS = 6000;
  const MAX_NOTIFICATIONS = 50;
  const TEXTS = window.KENEYA_ROOM_TEXTS;

  const $ = (id) => document.getElementById(id);
  const consultationId = new URLSearchParams(window.location.search).get("consultation");
  // `?relay=1`: media only through the TURN server (support checks a TURN server with it, and
  // it hides the person's addresses from the other side).
  const relayOnly = new URLSearchParams(window.location.search).get("relay") === "1";

  let config = null;
  let session = null;
  let refreshToken = null;
  let refreshing = null;
  let consultation = null;
  let language = initialLanguage();
  // What the page shows in its alert line: a text key (translated when the language changes)
  // or a server's own words.
  let problem = null;

  const call = {
    phase: "idle", // idle | preparing | in_call | ended
    role: null,
    peerRole: null,
    presence: "unknown", // unknown | absent | present | left | disconnected
    iceServers: [],
    socket: null,
    socketOpen: false,
    lost: false, // the socket dropped while in the call: we are reconnecting
    attempts: 0,
    reconnectTimer: null,
    pingTimer: null,
    closing: false, // the socket closes on purpose: hang-up, room closed, replaced
    frames: Promise.resolve(), // frames are handled one after the other, in arrival order
    pc: null,
    pendingCandidates: [],
    remoteStream: null,
    localStream: null,
    audioOnly: false,
    micMuted: false,
    cameraOff: false,
    endedKey: null,
    canRejoin: true,
    mediaNote: null,
  };

  const inbox = {
    socket: null,
    attempts: 0,
    timer: null,
    pingTimer: null,
    lastId: null,
    items: [],
  };

  // -- texts ------------------------------------------------------------------------------

  function initialLanguage() {
    try {
      const saved = window.localStorage.getItem(LANGUAGE_KEY);
      if (saved === "fr" || saved === "en") return saved;
    } catch (error) {
      // Storage can be disabled; the browser's language decides then.
    }
    const preferred = (navigator.language || "fr").toLowerCase();
    return preferred.startsWith("en") ? "en" : "fr";
  }

  function t(key, values) {
    const text = (TEXTS[language] && TEXTS[language][key]) || TEXTS.fr[key] || key;
    return text.replace(/\{(\w+)\}/g, (_, name) => (values && name in values ? values[name] : ""));
  }

  function formatTime(iso) {
    const moment = new Date(iso);
    if (Number.isNaN(moment.getTime())) return "—";
    const format = new Intl.DateTimeFormat(language === "fr" ? "fr-FR" : "en-GB", {
      timeZone: TIME_ZONE,
      dateStyle: "full",
      timeStyle: "short",
    });
    return `${format.format(moment)} (${t("bamako_time")})`;
  }

  function formatShortTime(iso) {
    const moment = new Date(iso);
    if (Number.isNaN(moment.getTime())) return "";
    return new Intl.DateTimeFormat(language === "fr" ? "fr-FR" : "en-GB", {
      timeZone: TIME_ZONE,
      day: "numeric",
      month: "short",
      hour: "2-digit",
      minute: "2-digit",
    }).format(moment);
  }

  function applyTexts() {
    document.documentElement.lang = language;
    document.title = `Keneya — ${t("title")}`;
    for (const element of document.querySelectorAll("[data-text]")) {
      element.textContent = t(element.dataset.text);
    }
    const other = language === "fr" ? "en" : "fr";
    $("language").textContent = other.toUpperCase();
    $("language").setAttribute("aria-label", other === "en" ? "English" : "Français");
    render();
  }

  // -- the API ------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, detail, key) {
      super(detail || key || `HTTP ${status}`);
      this.status = status;
      this.detail = detail;
      this.key = key;
    }
  }

  async function api(path, { method = "GET", body, auth = true } = {}) {
    if (auth) await freshSession();
    const headers = {
      Accept: "application/json, application/problem+json",
      "Accept-Language": language,
    };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (auth && session) headers.Authorization = `Bearer ${session.access_token}`;
    let response;
    try {
      response = await fetch(config.api + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
      });
    } catch (error) {
      throw new ApiError(0, null, "network");
    }
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
    if (!response.ok) {
      // Errors are problem+json: `detail` is written for people.
      const detail = data && (data.detail || data.title || data.message);
      throw new ApiError(response.status, typeof detail === "string" ? detail : null, null);
    }
    return data;
  }

  // -- session ------------------------------------------------------------------------------

  function loadSession() {
    try {
      const saved = JSON.parse(window.sessionStorage.getItem(SESSION_KEY));
      if (saved && saved.access_token && saved.user_id) return saved;
    } catch (error) {
      // A damaged entry is the same as none.
    }
    return null;
  }

  function saveSession(grant) {
    const saved = { access_token: grant.access_token, user_id: grant.user_id, role: grant.role };
    window.sessionStorage.setItem(SESSION_KEY, JSON.stringify(saved));
    // The refresh token stays in this page's memory only: a call that outlives the access
    // token (15 minutes) goes on, and nothing long-lived is left in the browser's storage.
    if (grant.refresh_token) refreshToken = grant.refresh_token;
    return saved;
  }

  // Seconds before its expiry at which the access token is exchanged for a new one.
  const REFRESH_MARGIN_S = 60;

  function secondsLeft(token) {
    try {
      const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      const claims = JSON.parse(window.atob(payload));
      return claims.exp - Date.now() / 1000;
    } catch (error) {
      return 0;
    }
  }

  // A session whose access token is good for a while yet: refreshed when it is about to
  // expire (sockets carry the token only when they connect, so each (re)connection asks).
  async function freshSession() {
    if (!session || secondsLeft(session.access_token) > REFRESH_MARGIN_S) return;
    if (!refreshing) {
      refreshing = (async () => {
        if (!refreshToken) throw new ApiError(401, null, "session_expired");
        const grant = await api("/auth/refresh", {
          method: "POST",
          body: { refresh_token: refreshToken },
          auth: false,
        });
        session = saveSession(grant);
      })().finally(() => {
        refreshing = null;
      });
    }
    await refreshing;
  }

  function clearSession() {
    window.sessionStorage.removeItem(SESSION_KEY);
    session = null;
    refreshToken = null;
  }

  function showLogin(reasonKey) {
    $("login-view").hidden = false;
    $("room-view").hidden = true;
    $("logout").hidden = true;
    showProblem(reasonKey ? { key: reasonKey } : null);
    $("phone").focus();
  }

  async function onLogin(event) {
    event.preventDefault();
    const button = $("login");
    const error = $("login-error");
    error.hidden = true;
    button.disabled = true;
    try {
      const grant = await api("/auth/login", {
        method: "POST",
        body: { phone: $("phone").value.trim(), password: $("password").value },
        auth: false,
      });
      session = saveSession(grant);
      $("password").value = "";
      await enterRoom();
    } catch (failure) {
      error.textContent =
        failure instanceof ApiError
          ? failure.detail || t(failure.key || "login_failed")
          : t("login_failed");
      error.hidden = false;
    } finally {
      button.disabled = false;
    }
  }

  function expireSession() {
    endCall(null, { quiet: true });
    closeInbox();
    clearSession();
    call.phase = "idle";
    showLogin("session_expired");
    render();
  }

  function logout() {
    if (call.phase === "in_call") hangUp();
    closeInbox();
    clearSession();
    call.phase = "idle";
    stopLocalMedia();
    showLogin(null);
    render();
  }

  // -- the room -----------------------------------------------------------------------------

  async function enterRoom() {
    $("login-view").hidden = true;
    $("room-view").hidden = false;
    $("logout").hidden = false;
    showProblem(null);
    openInbox();
    render();
    try {
      await loadConsultation();
    } catch (error) {
      if (error.status === 401) {
        expireSession();
        return;
      }
      showProblem(error.detail ? { raw: error.detail } : { key: error.key || "network" });
    }
    render();
    startPreview();
  }

  async function loadConsultation() {
    consultation = await api(`/consultations/${encodeURIComponent(consultationId)}`);
    render();
  }

  async function startPreview() {
    try {
      await acquireMedia();
    } catch (error) {
      call.mediaNote = "preview_failed";
    }
    render();
  }

  async function acquireMedia() {
    if (call.localStream && call.localStream.getTracks().some((tr) => tr.readyState === "live")) {
      return call.localStream;
    }
    const devices = navigator.mediaDevices;
    if (!devices || !devices.getUserMedia) throw new Error("no media devices (insecure page?)");
    let stream;
    call.audioOnly = false;
    try {
      stream = await devices.getUserMedia({
        video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 } },
        audio: true,
      });
    } catch (error) {
      // No camera, or one another app holds: the consultation can still happen by voice.
      if (!["NotFoundError", "OverconstrainedError", "NotReadableError"].includes(error.name)) {
        throw error;
      }
      stream = await devices.getUserMedia({ audio: true });
      call.audioOnly = true;
    }
    call.localStream = stream;
    call.mediaNote = call.audioOnly ? "audio_only" : null;
    applyTrackSwitches();
    const local = $("local-video");
    local.srcObject = stream;
    local.play().catch(() => {});
    return stream;
  }

  function stopLocalMedia() {
    if (call.localStream) {
      for (const track of call.localStream.getTracks()) track.stop();
    }
    call.localStream = null;
    $("local-video").srcObject = null;
  }

  function applyTrackSwitches() {
    if (!call.localStream) return;
    for (const track of call.localStream.getAudioTracks()) track.enabled = !call.micMuted;
    for (const track of call.localStream.getVideoTracks()) track.enabled = !call.cameraOff;
  }

  // -- joining and leaving the call ------------------------------------------------------------

  async function join() {
    if (call.phase === "preparing" || call.phase === "in_call") return;
    showProblem(null);
    call.phase = "preparing";
    call.endedKey = null;
    call.closing = false;
    call.presence = "unknown";
    render();
    // Started by the click: mobile browsers then let the remote video play with sound.
    $("remote-video").play().catch(() => {});
    try {
      await acquireMedia();
    } catch (error) {
      call.phase = "idle";
      call.mediaNote = "no_media";
      render();
      return;
    }
    try {
      await refreshIceServers();
    } catch (error) {
      call.phase = "idle";
      refused(error);
      return;
    }
    call.phase = "in_call";
    call.attempts = 0;
    call.lost = false;
    keepScreenOn();
    openSignaling();
    render();
  }

  // A phone must not dim and lock in the middle of a consultation.
  let wakeLock = null;

  async function keepScreenOn() {
    if (!navigator.wakeLock || wakeLock) return;
    try {
      wakeLock = await navigator.wakeLock.request("screen");
      wakeLock.addEventListener("release", () => {
        wakeLock = null;
      });
    } catch (error) {
      // Refused (battery saver, hidden page): the call goes on regardless.
    }
  }

  function letScreenSleep() {
    if (wakeLock) wakeLock.release().catch(() => {});
    wakeLock = null;
  }

  async function refreshIceServers() {
    const answer = await api(
      `/signaling/ice-servers?consultation_id=${encodeURIComponent(consultationId)}`,
    );
    // Empty without a TURN server: host candidates are enough on one network.
    call.iceServers = Array.isArray(answer && answer.ice_servers) ? answer.ice_servers : [];
  }

  // The room refused us (REST): say why, and stop trying.
  function refused(error) {
    if (error.status === 401) {
      expireSession();
      return;
    }
    if (error.status === 409) {
      endCall("room_closed", { canRejoin: false });
      return;
    }
    if (error.status === 404) {
      showProblem({ key: "room_not_open", detail: error.detail });
    } else {
      showProblem(error.detail ? { raw: error.detail } : { key: error.key || "network" });
    }
    render();
  }

  function hangUp() {
    if (call.phase !== "in_call") return;
    call.closing = true;
    send({ action: "leave" });
    endCall("call_ended");
  }

  function endCall(key, { canRejoin = true, quiet = false } = {}) {
    call.closing = true;
    letScreenSleep();
    window.clearTimeout(call.reconnectTimer);
    stopPing();
    closePeerConnection();
    stopLocalMedia();
    const socket = call.socket;
    if (socket) {
      // The server closes the socket after `left` or `room_closed`; if it does not, we do.
      window.setTimeout(() => {
        if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) {
          socket.close(1000, "call ended");
        }
      }, LEAVE_GRACE_MS);
    }
    call.socket = null;
    call.socketOpen = false;
    call.lost = false;
    if (!quiet) {
      call.phase = "ended";
      call.endedKey = key;
      call.canRejoin = canRejoin;
    }
    render();
  }

  // -- the signaling socket -----------------------------------------------------------------

  function openSignaling() {
    window.clearTimeout(call.reconnectTimer);
    const url = new URL(config.signaling);
    url.searchParams.set("token", session.access_token);
    url.searchParams.set("consultation_id", consultationId);
    const socket = new WebSocket(url.toString());
    call.socket = socket;
    call.closing = false;
    socket.onopen = () => {
      if (socket !== call.socket) return;
      call.socketOpen = true;
      call.attempts = 0;
      send({ action: "join" });
      startPing();
      render();
    };
    socket.onmessage = (message) => {
      if (socket !== call.socket) return;
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      call.frames = call.frames
        .then(() => onFrame(frame))
        .catch((error) => console.warn("keneya room: frame", frame.type, error))
        .then(render);
    };
    socket.onclose = () => {
      if (socket !== call.socket) return;
      call.socket = null;
      call.socketOpen = false;
      stopPing();
      if (call.closing || call.phase !== "in_call") return;
      call.lost = true;
      scheduleReconnect();
      render();
    };
  }

  function send(frame) {
    const socket = call.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  function startPing() {
    stopPing();
    call.pingTimer = window.setInterval(() => send({ action: "ping" }), PING_MS);
  }

  function stopPing() {
    window.clearInterval(call.pingTimer);
    call.pingTimer = null;
  }

  function scheduleReconnect(now = false) {
    window.clearTimeout(call.reconnectTimer);
    const base = BACKOFF_MS[Math.min(call.attempts, BACKOFF_MS.length - 1)];
    // Jitter, so that two phones behind one mast do not come back in step.
    const delay = now ? 0 : base * (0.8 + Math.random() * 0.4);
    call.attempts += 1;
    call.reconnectTimer = window.setTimeout(reconnect, delay);
  }

  async function reconnect() {
    if (call.phase !== "in_call" || call.closing || call.socket) return;
    try {
      // Fresh TURN credentials, and the reason when the room no longer lets us in.
      await refreshIceServers();
    } catch (error) {
      if (error.status === 401 || error.status === 404 || error.status === 409) {
        endCall(null, { quiet: true });
        call.phase = "idle";
        refused(error);
        return;
      }
      scheduleReconnect();
      return;
    }
    if (call.phase !== "in_call" || call.closing) return;
    openSignaling();
    render();
  }

  async function onFrame(frame) {
    switch (frame.type) {
      case "joined":
        // Its status changed when the doctor started it; show the current one.
        loadConsultation().catch(() => {});
        call.role = frame.role;
        call.peerRole = (frame.peer && frame.peer.role) || otherRole(frame.role);
        call.lost = false;
        if (frame.peer && frame.peer.present) {
          call.presence = "present";
          await startPeerConnection();
        } else {
          call.presence = "absent";
          closePeerConnection();
        }
        break;
      case "peer_joined":
      case "peer_reconnected":
        call.peerRole = frame.role || call.peerRole;
        call.presence = "present";
        await startPeerConnection();
        break;
      case "peer_left":
        call.peerRole = frame.role || call.peerRole;
        call.presence = frame.reason === "disconnected" ? "disconnected" : "left";
        closePeerConnection();
        break;
      case "offer":
        await onOffer(frame.sdp);
        break;
      case "answer":
        await onAnswer(frame.sdp);
        break;
      case "ice_candidate":
        await onRemoteCandidate(frame.candidate === undefined ? null : frame.candidate);
        break;
      case "left":
        break;
      case "room_closed":
        call.closing = true;
        endCall(TEXTS.fr[`closed_${frame.reason}`] ? `closed_${frame.reason}` : "room_closed", {
          canRejoin: false,
        });
        break;
      case "replaced":
        call.closing = true;
        endCall("replaced");
        break;
      case "pong":
        break;
      case "error":
        onSignalingError(frame);
        break;
      default:
        break;
    }
  }

  function onSignalingError(frame) {
    if (frame.code === "room_closed") {
      call.closing = true;
      endCall("room_closed", { canRejoin: false });
      return;
    }
    // `peer_absent` is expected when the other side left while candidates were in flight.
    if (frame.code === "peer_absent") return;
    console.warn("keneya room: signaling error", frame);
    showProblem({ key: "signaling_error", values: { message: frame.message || frame.code } });
  }

  function otherRole(role) {
    if (role === "doctor") return "patient";
    if (role === "patient") return "doctor";
    return null;
  }

  // -- WebRTC -------------------------------------------------------------------------------

  async function startPeerConnection() {
    closePeerConnection();
    const pc = new RTCPeerConnection({
      iceServers: call.iceServers,
      iceTransportPolicy: relayOnly ? "relay" : "all",
    });
    call.pc = pc;
    call.pendingCandidates = [];
    call.remoteStream = new MediaStream();
    const remote = $("remote-video");
    remote.srcObject = call.remoteStream;
    if (call.localStream) {
      for (const track of call.localStream.getTracks()) pc.addTrack(track, call.localStream);
    }
    if (call.audioOnly && call.role === "doctor") {
      // The offer must still ask for the patient's video.
      pc.addTransceiver("video", { direction: "recvonly" });
    }
    pc.ontrack = (event) => {
      if (pc !== call.pc) return;
      if (!call.remoteStream.getTracks().includes(event.track)) {
        call.remoteStream.addTrack(event.track);
      }
      event.track.onunmute = render;
      event.track.onmute = render;
      remote.play().catch(() => {});
      render();
    };
    pc.onicecandidate = (event) => {
      if (pc !== call.pc) return;
      const candidate = event.candidate && event.candidate.candidate ? event.candidate : null;
      send({ action: "ice_candidate", candidate: candidate ? candidate.toJSON() : null });
    };
    pc.oniceconnectionstatechange = () => {
      if (pc !== call.pc) return;
      if (pc.iceConnectionState === "failed") restartIce(pc);
      render();
    };
    pc.onconnectionstatechange = () => {
      if (pc === call.pc) render();
    };
    if (call.role === "doctor") await sendOffer(pc, false);
    return pc;
  }

  function closePeerConnection() {
    const pc = call.pc;
    call.pc = null;
    call.pendingCandidates = [];
    if (pc) {
      pc.ontrack = null;
      pc.onicecandidate = null;
      pc.oniceconnectionstatechange = null;
      pc.onconnectionstatechange = null;
      pc.close();
    }
    call.remoteStream = null;
    $("remote-video").srcObject = null;
  }

  async function sendOffer(pc, iceRestart) {
    const offer = await pc.createOffer(iceRestart ? { iceRestart: true } : undefined);
    if (pc !== call.pc) return;
    await pc.setLocalDescription(offer);
    if (pc !== call.pc) return;
    send({ action: "offer", sdp: pc.localDescription.sdp });
    await limitVideoBitrate(pc);
  }

  // Mobile networks here rarely sustain more for long: a smooth small picture beats a frozen
  // large one, and the sound (which matters most in a consultation) keeps its share.
  const VIDEO_MAX_BITRATE = 500000;

  async function limitVideoBitrate(pc) {
    for (const sender of pc.getSenders()) {
      if (!sender.track || sender.track.kind !== "video") continue;
      const parameters = sender.getParameters();
      if (!parameters.encodings || !parameters.encodings.length) continue;
      parameters.encodings[0].maxBitrate = VIDEO_MAX_BITRATE;
      try {
        await sender.setParameters(parameters);
      } catch (error) {
        console.debug("keneya room: bitrate limit not applied", error);
      }
    }
  }

  // Only the doctor repairs: two sides restarting at once would cross their offers.
  function restartIce(pc) {
    if (call.role !== "doctor" || pc !== call.pc || pc.signalingState !== "stable") return;
    sendOffer(pc, true).catch((error) => console.warn("keneya room: ICE restart", error));
  }

  async function onOffer(sdp) {
    if (call.role === "doctor") return;
    const pc = call.pc || (await startPeerConnection());
    await pc.setRemoteDescription({ type: "offer", sdp });
    await flushCandidates(pc);
    const answer = await pc.createAnswer();
    if (pc !== call.pc) return;
    await pc.setLocalDescription(answer);
    if (pc !== call.pc) return;
    send({ action: "answer", sdp: pc.localDescription.sdp });
    await limitVideoBitrate(pc);
  }

  async function onAnswer(sdp) {
    const pc = call.pc;
    if (call.role !== "doctor" || !pc || pc.signalingState !== "have-local-offer") return;
    await pc.setRemoteDescription({ type: "answer", sdp });
    await flushCandidates(pc);
  }

  async function onRemoteCandidate(candidate) {
    const pc = call.pc;
    // Candidates can outrun the description they belong to: keep them until it is set.
    if (!pc || !pc.remoteDescription) {
      call.pendingCandidates.push(candidate);
      return;
    }
    await addCandidate(pc, candidate);
  }

  async function flushCandidates(pc) {
    const waiting = call.pendingCandidates;
    call.pendingCandidates = [];
    for (const candidate of waiting) await addCandidate(pc, candidate);
  }

  async function addCandidate(pc, candidate) {
    try {
      // No candidate: the other side has gathered them all.
      await (candidate ? pc.addIceCandidate(candidate) : pc.addIceCandidate());
    } catch (error) {
      // A candidate of an earlier connection or ICE generation: harmless, skip it.
      console.debug("keneya room: candidate skipped", error);
    }
  }

  async function stats() {
    const pc = call.pc;
    const result = {
      connectionState: pc ? pc.connectionState : "none",
      inboundVideoFramesDecoded: 0,
      outboundVideoFramesEncoded: 0,
      // How the media travels: "host", "srflx" or "relay" (through TURN), once connected.
      localCandidateType: null,
    };
    if (!pc) return result;
    const report = await pc.getStats();
    report.forEach((entry) => {
      if (entry.type === "transport" && entry.selectedCandidatePairId) {
        const pair = report.get(entry.selectedCandidatePairId);
        const local = pair && report.get(pair.localCandidateId);
        if (local) result.localCandidateType = local.candidateType;
      }
      if (entry.kind !== "video") return;
      if (entry.type === "inbound-rtp") result.inboundVideoFramesDecoded += entry.framesDecoded || 0;
      if (entry.type === "outbound-rtp") {
        result.outboundVideoFramesEncoded += entry.framesEncoded || 0;
      }
    });
    return result;
  }

  // -- notifications --------------------------------------------------------------------------

  async function openInbox() {
    if (!config.notifications || !session || inbox.socket) return;
    window.clearTimeout(inbox.timer);
    try {
      await freshSession();
    } catch (error) {
      return; // the room's own requests say why and send the person to sign in
    }
    if (!session || inbox.socket) return;
    const url = new URL(config.notifications);
    url.searchParams.set("token", session.access_token);
    const socket = new WebSocket(url.toString());
    inbox.socket = socket;
    socket.onopen = () => {
      if (socket !== inbox.socket) return;
      inbox.attempts = 0;
      // After a reconnection, what came while we were away.
      if (inbox.lastId) socket.send(JSON.stringify({ action: "sync", after: inbox.lastId }));
      window.clearInterval(inbox.pingTimer);
      inbox.pingTimer = window.setInterval(() => {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ action: "ping" }));
      }, PING_MS);
    };
    socket.onmessage = (message) => {
      if (socket !== inbox.socket) return;
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      if (frame.type === "notification" && frame.notification) {
        addNotification(frame.notification, true);
      } else if (frame.type === "sync" && Array.isArray(frame.notifications)) {
        for (const item of frame.notifications) addNotification(item, false);
        if (frame.more && inbox.lastId) {
          socket.send(JSON.stringify({ action: "sync", after: inbox.lastId }));
        }
      }
    };
    socket.onclose = () => {
      if (socket !== inbox.socket) return;
      inbox.socket = null;
      window.clearInterval(inbox.pingTimer);
      if (!session) return;
      const base = BACKOFF_MS[Math.min(inbox.attempts, BACKOFF_MS.length - 1)];
      inbox.attempts += 1;
      inbox.timer = window.setTimeout(openInbox, base * (0.8 + Math.random() * 0.4));
    };
  }

  function closeInbox() {
    const socket = inbox.socket;
    inbox.socket = null;
    window.clearTimeout(inbox.timer);
    window.clearInterval(inbox.pingTimer);
    if (socket) socket.close(1000, "signed out");
  }

  function addNotification(item, toast) {
    if (item.id && inbox.items.some((known) => known.id === item.id)) return;
    inbox.items.unshift(item);
    inbox.items.length = Math.min(inbox.items.length, MAX_NOTIFICATIONS);
    if (item.id) inbox.lastId = item.id;
    renderNotifications();
    if (toast) showToast(item);
  }

  function renderNotifications() {
    const list = $("notifications");
    list.replaceChildren();
    if (!inbox.items.length) {
      const empty = document.createElement("li");
      empty.className = "empty";
      empty.textContent = t("notifications_empty");
      list.append(empty);
      return;
    }
    for (const item of inbox.items) {
      const entry = document.createElement("li");
      const title = document.createElement("strong");
      title.textContent = item.title || "";
      const body = document.createElement("span");
      body.textContent = item.body || "";
      const time = document.createElement("time");
      if (item.created_at) {
        time.dateTime = item.created_at;
        time.textContent = formatShortTime(item.created_at);
      }
      entry.append(title, body, time);
      list.append(entry);
    }
  }

  function showToast(item) {
    const toast = document.createElement("div");
    toast.className = "toast";
    toast.setAttribute("role", "status");
    const title = document.createElement("strong");
    title.textContent = item.title || "";
    const body = document.createElement("span");
    body.textContent = item.body || "";
    toast.append(title, body);
    toast.addEventListener("click", () => toast.remove());
    $("toasts").append(toast);
    window.setTimeout(() => toast.remove(), TOAST_MS);
  }

  // -- what the page shows --------------------------------------------------------------------

  function showProblem(next) {
    problem = next;
    renderProblem();
  }

  function renderProblem() {
    const line = $("problem");
    if (!problem) {
      line.hidden = true;
      line.textContent = "";
      return;
    }
    let text = problem.raw || t(problem.key, problem.values);
    if (problem.detail) text = `${text} (${problem.detail})`;
    line.textContent = text;
    line.hidden = false;
  }

  function callState() {
    if (call.phase === "ended") return "ended";
    if (call.phase === "preparing") return "preparing";
    if (call.phase !== "in_call") return "idle";
    const pc = call.pc;
    if (pc && pc.connectionState === "connected") return "connected";
    if (!call.socketOpen) return call.lost ? "reconnecting" : "connecting";
    if (pc && (pc.connectionState === "disconnected" || pc.connectionState === "failed")) {
      return "reconnecting";
    }
    if (call.presence !== "present") return "waiting";
    return "connecting";
  }

  function presenceText() {
    const roleKey = call.peerRole ? `role_${call.peerRole}` : "role_other";
    const role = t(TEXTS.fr[roleKey] ? roleKey : "role_other");
    switch (call.presence) {
      case "absent":
        return t("peer_absent");
      case "present":
        return t("peer_present", { role });
      case "left":
        return t("peer_left", { role });
      case "disconnected":
        return t("peer_disconnected", { role });
      default:
        return "";
    }
  }

  function renderConsultation() {
    if (!consultation) return;
    $("doctor-name").textContent = consultation.doctor_name || "—";
    $("starts-at").textContent = formatTime(consultation.starts_at);
    const statusKey = `status_${consultation.status}`;
    $("consultation-status").textContent = TEXTS.fr[statusKey] ? t(statusKey) : consultation.status;
  }

  function setLabel(button, key) {
    const label = button.querySelector(".label");
    label.dataset.text = key;
    label.textContent = t(key);
    button.title = t(key);
  }

  function render() {
    const state = callState();
    const stateLine = $("state");
    stateLine.dataset.state = state;
    stateLine.textContent = t(`state_${state}`);
    $("peer").textContent = call.phase === "in_call" ? presenceText() : "";
    $("peer").dataset.presence = call.presence;

    const inCall = call.phase === "in_call";
    $("join").hidden = inCall || call.phase === "ended";
    $("join").disabled = call.phase === "preparing";
    $("mute").hidden = !inCall;
    $("camera").hidden = !inCall;
    $("hangup").hidden = !inCall;
    $("camera").disabled = call.audioOnly;
    $("mute").setAttribute("aria-pressed", String(call.micMuted));
    $("camera").setAttribute("aria-pressed", String(call.cameraOff));
    setLabel($("mute"), call.micMuted ? "unmute" : "mute");
    setLabel($("camera"), call.cameraOff ? "camera_on" : "camera_off");

    $("ended").hidden = call.phase !== "ended";
    $("ended-text").dataset.text = call.endedKey || "call_ended";
    $("ended-text").textContent = t(call.endedKey || "call_ended");
    $("rejoin").hidden = !call.canRejoin;

    const note = $("media-note");
    note.hidden = !call.mediaNote;
    note.textContent = call.mediaNote ? t(call.mediaNote) : "";

    const remoteVideo = call.remoteStream && call.remoteStream.getVideoTracks().some((track) => {
      return track.readyState === "live" && !track.muted;
    });
    $("remote-placeholder").hidden = Boolean(remoteVideo);
    $("local-video").hidden = !call.localStream || call.audioOnly;
    document.body.dataset.call = state;

    renderConsultation();
    renderProblem();
    renderNotifications();
  }

  // -- start ----------------------------------------------------------------------------------

  async function boot() {
    $("language").addEventListener("click", () => {
      language = language === "fr" ? "en" : "fr";
      try {
        window.localStorage.setItem(LANGUAGE_KEY, language);
      } catch (error) {
        // Not remembered, still switched.
      }
      applyTexts();
    });
    $("login-form").addEventListener("submit", onLogin);
    // The screen lock is let go while the page is hidden; take it again on coming back.
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && call.phase === "in_call") keepScreenOn();
    });
    $("logout").addEventListener("click", logout);
    $("join").addEventListener("click", join);
    $("rejoin").addEventListener("click", join);
    $("hangup").addEventListener("click", hangUp);
    $("mute").addEventListener("click", () => {
      call.micMuted = !call.micMuted;
      applyTrackSwitches();
      render();
    });
    $("camera").addEventListener("click", () => {
      call.cameraOff = !call.cameraOff;
      applyTrackSwitches();
      render();
    });
    window.addEventListener("online", () => {
      // Back on the network: no need to sit out the backoff.
      if (call.phase === "in_call" && call.lost && !call.socket) scheduleReconnect(true);
    });
    window.addEventListener("pagehide", () => {
      if (call.phase === "in_call") send({ action: "leave" });
    });
    applyTexts();

    try {
      const response = await fetch("./config.json", { cache: "no-store" });
      if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
      config = await response.json();
    } catch (error) {
      showProblem({ key: "network" });
      return;
    }
    if (!consultationId) {
      showProblem({ key: "no_consultation" });
      return;
    }
    session = loadSession();
    if (session) {
      await enterRoom();
    } else {
      showLogin(null);
    }
  }

  window.keneyaRoom = {
    /** idle | preparing | waiting | connecting | connected | reconnecting | ended */
    state: callState,
    /** unknown | absent | present | left | disconnected: the other participant */
    presence: () => call.presence,
    role: () => call.role,
    peerConnection: () => call.pc,
    stats,
  };

  boot();
})();
