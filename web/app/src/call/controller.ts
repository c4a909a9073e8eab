// One person's side of a consultation call.
//
// It follows the signaling protocol of the signaling service (its chalicelib/protocol.py): the
// doctor offers and the patient answers; each side starts a fresh RTCPeerConnection on `joined`
// with the peer present, `peer_joined` or `peer_reconnected`; ICE candidates trickle both ways;
// the doctor repairs a failed ICE connection with an ICE-restart offer. The socket reconnects by
// itself (socket.ts), asking the API first whether the room still lets us in.
import { api } from "../api/client";
import { config, withQuery } from "../config";
import { session } from "../session";
import { LiveSocket } from "../socket";
import { quality, sample, type Quality, type Sample } from "./quality";

export type Phase = "idle" | "preparing" | "in_call" | "ended";
export type CallState =
  | "idle" | "preparing" | "waiting" | "connecting" | "connected" | "reconnecting" | "ended";
export type Presence = "unknown" | "absent" | "present" | "left" | "disconnected";

/** Why the call is not going on, as a text key of the app. */
export type EndReason =
  | "call_ended" | "closed_completed" | "closed_cancelled" | "closed_no_show" | "room_closed"
  | "replaced";

/** Why the call could not start, as a text key, with the server's words when it gave some. */
export interface CallProblem {
  key: "room_not_open" | "no_media" | "signaling_error" | "error";
  detail?: string;
}

// The server closes the socket after `left`; this is how long it gets before we do.
const LEAVE_GRACE_MS = 2000;
const QUALITY_MS = 3000;
// Mobile networks here rarely sustain more for long: a smooth small picture beats a frozen
// large one, and the sound (which matters most in a consultation) keeps its share.
const VIDEO_MAX_BITRATE = 500_000;

class Refused extends Error {
  constructor(readonly status: number, readonly detail?: string) {
    super(`refused: ${status}`);
  }
}

export class CallController {
  phase: Phase = "idle";
  role: string | null = null;
  peerRole: string | null = null;
  presence: Presence = "unknown";
  /** Chosen by the person: no video sent or received, for a weak network. */
  audioOnly = false;
  /** No camera could be had: the person is heard, and still sees the other side. */
  noCamera = false;
  micMuted = false;
  cameraOff = false;
  ended: EndReason | null = null;
  canRejoin = true;
  problem: CallProblem | null = null;
  quality: Quality = "unknown";
  socketOpen = false;
  lost = false;
  localStream: MediaStream | null = null;
  remoteStream: MediaStream | null = null;
  pc: RTCPeerConnection | null = null;

  private iceServers: RTCIceServer[] = [];
  private socket: LiveSocket | null = null;
  private pendingCandidates: (RTCIceCandidateInit | null)[] = [];
  private frames: Promise<void> = Promise.resolve();
  private listeners = new Set<() => void>();
  private qualityTimer: ReturnType<typeof setInterval> | undefined;
  private lastSample: Sample | null = null;
  private wakeLock: WakeLockSentinel | null = null;

  constructor(
    readonly consultationId: string,
    /** Media only through the TURN server (support checks a TURN server with it). */
    private readonly relayOnly = false,
    /** Told when the server says the consultation changed (its status, to show). */
    private readonly onConsultationChanged: () => void = () => undefined,
  ) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get state(): CallState {
    if (this.phase === "ended") return "ended";
    if (this.phase === "preparing") return "preparing";
    if (this.phase !== "in_call") return "idle";
    const connection = this.pc?.connectionState;
    if (connection === "connected") return "connected";
    if (!this.socketOpen) return this.lost ? "reconnecting" : "connecting";
    if (connection === "disconnected" || connection === "failed") return "reconnecting";
    if (this.presence !== "present") return "waiting";
    return "connecting";
  }

  /** The camera's preview before joining (refused quietly: joining asks again). */
  async preview(): Promise<void> {
    try {
      await this.acquireMedia();
    } catch {
      // Joining says what is missing.
    }
    this.changed();
  }

  async join(audioOnly: boolean): Promise<void> {
    if (this.phase === "preparing" || this.phase === "in_call") return;
    this.problem = null;
    this.ended = null;
    this.presence = "unknown";
    this.phase = "preparing";
    if (audioOnly !== this.audioOnly) this.stopLocalMedia();
    this.audioOnly = audioOnly;
    this.changed();
    try {
      await this.acquireMedia();
    } catch {
      this.phase = "idle";
      this.problem = { key: "no_media" };
      this.changed();
      return;
    }
    try {
      await this.refreshIceServers();
    } catch (error) {
      this.phase = "idle";
      this.refused(error);
      return;
    }
    this.phase = "in_call";
    this.lost = false;
    void this.keepScreenOn();
    this.startQuality();
    this.socket = new LiveSocket({
      url: () => this.signalingUrl(),
      network: window,
      onOpen: () => {
        this.socketOpen = true;
        this.lost = false;
        this.socket?.send({ action: "join" });
        this.changed();
      },
      onState: (state) => {
        const wasOpen = this.socketOpen;
        this.socketOpen = state === "open";
        if (wasOpen && state === "waiting") this.lost = true;
        this.changed();
      },
      onFrame: (frame) => {
        this.frames = this.frames
          .then(() => this.onFrame(frame))
          .catch((error) => console.warn("keneya call: frame", frame.type, error))
          .then(() => this.changed());
      },
    });
    this.socket.start();
    this.changed();
  }

  /** On a weak network mid-call: the camera stops, and the call starts again without video
   * either way (a fresh connection, as after a reconnection). */
  async switchToAudioOnly(): Promise<void> {
    if (this.audioOnly) return;
    this.audioOnly = true;
    for (const track of this.localStream?.getVideoTracks() ?? []) {
      track.stop();
      this.localStream?.removeTrack(track);
    }
    if (this.phase === "in_call") {
      this.closePeerConnection();
      this.socketOpen = false;
      this.socket?.reconnectNow();
    }
    this.changed();
  }

  hangUp(): void {
    if (this.phase !== "in_call") return;
    this.socket?.send({ action: "leave" });
    this.end("call_ended");
  }

  /** The page goes away: the other side hears that we left. */
  leave(): void {
    if (this.phase === "in_call") this.socket?.send({ action: "leave" });
    this.end(null);
  }

  toggleMic(): void {
    this.micMuted = !this.micMuted;
    this.applyTrackSwitches();
    this.changed();
  }

  toggleCamera(): void {
    this.cameraOff = !this.cameraOff;
    this.applyTrackSwitches();
    this.changed();
  }

  /** The screen lock is let go while the page is hidden; take it again on coming back. */
  visible(): void {
    if (this.phase === "in_call") void this.keepScreenOn();
  }

  /** For the browser tests and support: what WebRTC says of the connection. */
  async stats(): Promise<Record<string, unknown>> {
    const pc = this.pc;
    const result = {
      connectionState: pc ? pc.connectionState : "none",
      inboundVideoFramesDecoded: 0,
      outboundVideoFramesEncoded: 0,
      inboundAudioPackets: 0,
      // How the media travels: "host", "srflx" or "relay" (through TURN), once connected.
      localCandidateType: null as string | null,
    };
    if (!pc) return result;
    const report = await pc.getStats();
    report.forEach((entry) => {
      if (entry.type === "transport" && entry.selectedCandidatePairId) {
        const pair = report.get(entry.selectedCandidatePairId);
        const local = pair && report.get(pair.localCandidateId);
        if (local) result.localCandidateType = local.candidateType;
      }
      if (entry.type === "inbound-rtp" && entry.kind === "audio") {
        result.inboundAudioPackets += entry.packetsReceived || 0;
      }
      if (entry.kind !== "video") return;
      if (entry.type === "inbound-rtp") result.inboundVideoFramesDecoded += entry.framesDecoded || 0;
      if (entry.type === "outbound-rtp") result.outboundVideoFramesEncoded += entry.framesEncoded || 0;
    });
    return result;
  }

  // -- media --------------------------------------------------------------------------------

  private async acquireMedia(): Promise<MediaStream> {
    const live = this.localStream?.getTracks().some((track) => track.readyState === "live");
    if (this.localStream && live) return this.localStream;
    const devices = navigator.mediaDevices;
    if (!devices?.getUserMedia) throw new Error("no media devices (insecure page?)");
    let stream: MediaStream;
    this.noCamera = false;
    if (this.audioOnly) {
      stream = await devices.getUserMedia({ audio: true });
    } else {
      try {
        stream = await devices.getUserMedia({
          video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 } },
          audio: true,
        });
      } catch (error) {
        // No camera, or one another app holds: the consultation can still happen by voice.
        const name = (error as DOMException).name;
        if (!["NotFoundError", "OverconstrainedError", "NotReadableError"].includes(name)) throw error;
        stream = await devices.getUserMedia({ audio: true });
        this.noCamera = true;
      }
    }
    this.localStream = stream;
    this.applyTrackSwitches();
    return stream;
  }

  private stopLocalMedia(): void {
    for (const track of this.localStream?.getTracks() ?? []) track.stop();
    this.localStream = null;
  }

  private applyTrackSwitches(): void {
    for (const track of this.localStream?.getAudioTracks() ?? []) track.enabled = !this.micMuted;
    for (const track of this.localStream?.getVideoTracks() ?? []) track.enabled = !this.cameraOff;
  }

  // A phone must not dim and lock in the middle of a consultation.
  private async keepScreenOn(): Promise<void> {
    if (!("wakeLock" in navigator) || this.wakeLock) return;
    try {
      this.wakeLock = await navigator.wakeLock.request("screen");
      this.wakeLock.addEventListener("release", () => {
        this.wakeLock = null;
      });
    } catch {
      // Refused (battery saver, hidden page): the call goes on regardless.
    }
  }

  // -- the room, through the API and the signaling socket ------------------------------------

  private async refreshIceServers(): Promise<void> {
    const { data, error, response } = await api.GET("/api/v1/signaling/ice-servers", {
      params: { query: { consultation_id: this.consultationId } },
    });
    if (!data) {
      if (response && response.status < 500) {
        throw new Refused(response.status, (error as { detail?: string } | undefined)?.detail);
      }
      throw new Error(`ice-servers: ${response?.status}`);
    }
    // Empty without a TURN server: host candidates are enough on one network.
    this.iceServers = (data.ice_servers ?? []) as RTCIceServer[];
  }

  /** The socket's URL for each (re)connection; null when the room no longer lets us in. */
  private async signalingUrl(): Promise<string | null> {
    try {
      // Fresh TURN credentials, and the reason when the room refuses us.
      await this.refreshIceServers();
    } catch (error) {
      if (error instanceof Refused) {
        this.refused(error);
        return null;
      }
      throw error;
    }
    const token = await session.accessToken();
    if (!token || this.phase !== "in_call") return null;
    return withQuery((await config()).signaling, { token, consultation_id: this.consultationId });
  }

  private refused(error: unknown): void {
    const status = error instanceof Refused ? error.status : 0;
    if (status === 409) {
      this.end("room_closed", false);
      return;
    }
    this.end(null);
    if (status === 404) this.problem = { key: "room_not_open" };
    else this.problem = { key: "error", detail: error instanceof Refused ? error.detail : undefined };
    this.changed();
  }

  private end(reason: EndReason | null, canRejoin = true): void {
    this.releaseScreen();
    this.stopQuality();
    this.closePeerConnection();
    this.stopLocalMedia();
    const socket = this.socket;
    this.socket = null;
    // The server closes the socket after `left` or `room_closed`; if it does not, we do.
    if (socket) setTimeout(() => socket.stop("call ended"), LEAVE_GRACE_MS);
    this.socketOpen = false;
    this.lost = false;
    this.phase = reason ? "ended" : "idle";
    if (reason) {
      this.ended = reason;
      this.canRejoin = canRejoin;
    }
    this.changed();
  }

  private releaseScreen(): void {
    void this.wakeLock?.release().catch(() => undefined);
    this.wakeLock = null;
  }

  private async onFrame(frame: Record<string, unknown>): Promise<void> {
    const peer = frame.peer as { role?: string; present?: boolean } | undefined;
    switch (frame.type) {
      case "joined":
        // Its status changed when the doctor started it; show the current one.
        this.onConsultationChanged();
        this.role = frame.role as string;
        this.peerRole = peer?.role ?? otherRole(this.role);
        this.lost = false;
        if (peer?.present) {
          this.presence = "present";
          await this.startPeerConnection();
        } else {
          this.presence = "absent";
          this.closePeerConnection();
        }
        break;
      case "peer_joined":
      case "peer_reconnected":
        this.peerRole = (frame.role as string) || this.peerRole;
        this.presence = "present";
        await this.startPeerConnection();
        break;
      case "peer_left":
        this.peerRole = (frame.role as string) || this.peerRole;
        this.presence = frame.reason === "disconnected" ? "disconnected" : "left";
        this.closePeerConnection();
        break;
      case "offer":
        await this.onOffer(frame.sdp as string);
        break;
      case "answer":
        await this.onAnswer(frame.sdp as string);
        break;
      case "ice_candidate":
        await this.onRemoteCandidate((frame.candidate ?? null) as RTCIceCandidateInit | null);
        break;
      case "room_closed": {
        const reason = `closed_${String(frame.reason)}`;
        const known = ["closed_completed", "closed_cancelled", "closed_no_show"].includes(reason);
        this.onConsultationChanged();
        this.end(known ? (reason as EndReason) : "room_closed", false);
        break;
      }
      case "replaced":
        this.end("replaced");
        break;
      case "error":
        this.onSignalingError(frame);
        break;
      default:
        break;
    }
  }

  private onSignalingError(frame: Record<string, unknown>): void {
    if (frame.code === "room_closed") {
      this.end("room_closed", false);
      return;
    }
    // `peer_absent` is expected when the other side left while candidates were in flight.
    if (frame.code === "peer_absent") return;
    console.warn("keneya call: signaling error", frame.code);
    this.problem = { key: "signaling_error", detail: String(frame.message ?? frame.code) };
  }

  // -- WebRTC -------------------------------------------------------------------------------

  private async startPeerConnection(): Promise<RTCPeerConnection> {
    this.closePeerConnection();
    const pc = new RTCPeerConnection({
      iceServers: this.iceServers,
      iceTransportPolicy: this.relayOnly ? "relay" : "all",
    });
    this.pc = pc;
    this.pendingCandidates = [];
    const remote = new MediaStream();
    this.remoteStream = remote;
    for (const track of this.localStream?.getTracks() ?? []) pc.addTrack(track, this.localStream!);
    if (this.role === "doctor" && !this.audioOnly && !this.localStream?.getVideoTracks().length) {
      // A doctor without a camera still asks for the patient's video.
      pc.addTransceiver("video", { direction: "recvonly" });
    }
    pc.ontrack = (event) => {
      if (pc !== this.pc) return;
      if (!remote.getTracks().includes(event.track)) remote.addTrack(event.track);
      event.track.onunmute = () => this.changed();
      event.track.onmute = () => this.changed();
      this.changed();
    };
    pc.onicecandidate = (event) => {
      if (pc !== this.pc) return;
      const candidate = event.candidate?.candidate ? event.candidate.toJSON() : null;
      this.socket?.send({ action: "ice_candidate", candidate });
    };
    pc.oniceconnectionstatechange = () => {
      if (pc !== this.pc) return;
      if (pc.iceConnectionState === "failed") this.restartIce(pc);
      this.changed();
    };
    pc.onconnectionstatechange = () => {
      if (pc === this.pc) this.changed();
    };
    if (this.role === "doctor") await this.sendOffer(pc, false);
    this.changed();
    return pc;
  }

  private closePeerConnection(): void {
    const pc = this.pc;
    this.pc = null;
    this.pendingCandidates = [];
    if (pc) {
      pc.ontrack = null;
      pc.onicecandidate = null;
      pc.oniceconnectionstatechange = null;
      pc.onconnectionstatechange = null;
      pc.close();
    }
    this.remoteStream = null;
  }

  /** Audio only: video is neither sent nor received (the data a weak network cannot spare). */
  private refuseVideo(pc: RTCPeerConnection): void {
    if (!this.audioOnly) return;
    for (const transceiver of pc.getTransceivers()) {
      if (transceiver.receiver.track?.kind === "video" && transceiver.direction !== "stopped") {
        transceiver.direction = "inactive";
      }
    }
  }

  private async sendOffer(pc: RTCPeerConnection, iceRestart: boolean): Promise<void> {
    this.refuseVideo(pc);
    const offer = await pc.createOffer(iceRestart ? { iceRestart: true } : undefined);
    if (pc !== this.pc) return;
    await pc.setLocalDescription(offer);
    if (pc !== this.pc) return;
    this.socket?.send({ action: "offer", sdp: pc.localDescription!.sdp });
    await limitVideoBitrate(pc);
  }

  // Only the doctor repairs: two sides restarting at once would cross their offers.
  private restartIce(pc: RTCPeerConnection): void {
    if (this.role !== "doctor" || pc !== this.pc || pc.signalingState !== "stable") return;
    this.sendOffer(pc, true).catch((error) => console.warn("keneya call: ICE restart", error));
  }

  private async onOffer(sdp: string): Promise<void> {
    if (this.role === "doctor") return;
    const pc = this.pc ?? (await this.startPeerConnection());
    await pc.setRemoteDescription({ type: "offer", sdp });
    await this.flushCandidates(pc);
    this.refuseVideo(pc);
    const answer = await pc.createAnswer();
    if (pc !== this.pc) return;
    await pc.setLocalDescription(answer);
    if (pc !== this.pc) return;
    this.socket?.send({ action: "answer", sdp: pc.localDescription!.sdp });
    await limitVideoBitrate(pc);
  }

  private async onAnswer(sdp: string): Promise<void> {
    const pc = this.pc;
    if (this.role !== "doctor" || !pc || pc.signalingState !== "have-local-offer") return;
    await pc.setRemoteDescription({ type: "answer", sdp });
    await this.flushCandidates(pc);
  }

  private async onRemoteCandidate(candidate: RTCIceCandidateInit | null): Promise<void> {
    const pc = this.pc;
    // Candidates can outrun the description they belong to: keep them until it is set.
    if (!pc || !pc.remoteDescription) {
      this.pendingCandidates.push(candidate);
      return;
    }
    await addCandidate(pc, candidate);
  }

  private async flushCandidates(pc: RTCPeerConnection): Promise<void> {
    const waiting = this.pendingCandidates;
    this.pendingCandidates = [];
    for (const candidate of waiting) await addCandidate(pc, candidate);
  }

  // -- quality ------------------------------------------------------------------------------

  private startQuality(): void {
    this.stopQuality();
    this.qualityTimer = setInterval(() => void this.measure(), QUALITY_MS);
  }

  private stopQuality(): void {
    clearInterval(this.qualityTimer);
    this.lastSample = null;
    this.quality = "unknown";
  }

  private async measure(): Promise<void> {
    const pc = this.pc;
    if (!pc || pc.connectionState !== "connected") {
      this.lastSample = null;
      if (this.quality !== "unknown") {
        this.quality = "unknown";
        this.changed();
      }
      return;
    }
    const now = sample(await pc.getStats());
    const next = quality(this.lastSample, now);
    this.lastSample = now;
    if (next !== this.quality) {
      this.quality = next;
      this.changed();
    }
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

function otherRole(role: string | null): string | null {
  if (role === "doctor") return "patient";
  if (role === "patient") return "doctor";
  return null;
}

async function limitVideoBitrate(pc: RTCPeerConnection): Promise<void> {
  for (const sender of pc.getSenders()) {
    if (sender.track?.kind !== "video") continue;
    const parameters = sender.getParameters();
    if (!parameters.encodings?.length) continue;
    parameters.encodings[0].maxBitrate = VIDEO_MAX_BITRATE;
    try {
      await sender.setParameters(parameters);
    } catch (error) {
      console.debug("keneya call: bitrate limit not applied", error);
    }
  }
}

async function addCandidate(pc: RTCPeerConnection, candidate: RTCIceCandidateInit | null) {
  try {
    // No candidate: the other side has gathered them all.
    await (candidate ? pc.addIceCandidate(candidate) : pc.addIceCandidate());
  } catch (error) {
    // A candidate of an earlier connection or ICE generation: harmless, skip it.
    console.debug("keneya call: candidate skipped", error);
  }
}
