// How good the call's connection is, from WebRTC's statistics, in words a person acts on: a
// poor connection suggests switching to audio only.

export type Quality = "unknown" | "good" | "fair" | "poor";

/** What one reading of RTCPeerConnection.getStats() says about the connection. */
export interface Sample {
  /** Seconds, from the selected candidate pair. */
  roundTripTime: number | null;
  /** Inbound RTP packets, audio and video together, since the connection started. */
  packetsReceived: number;
  packetsLost: number;
}

const GOOD = { roundTripTime: 0.3, loss: 0.02 };
const FAIR = { roundTripTime: 0.7, loss: 0.08 };

/** The quality between two readings (loss counted over that interval, not since the start). */
export function quality(previous: Sample | null, current: Sample): Quality {
  const received = current.packetsReceived - (previous?.packetsReceived ?? 0);
  const lost = current.packetsLost - (previous?.packetsLost ?? 0);
  const expected = received + lost;
  const loss = expected > 0 ? Math.max(0, lost) / expected : null;
  const rtt = current.roundTripTime;
  if (rtt === null && loss === null) return "unknown";
  if ((rtt ?? 0) <= GOOD.roundTripTime && (loss ?? 0) <= GOOD.loss) return "good";
  if ((rtt ?? 0) <= FAIR.roundTripTime && (loss ?? 0) <= FAIR.loss) return "fair";
  return "poor";
}

type StatsEntry = Record<string, unknown> & { type: string; id: string };

/** A Sample from a getStats() report (a Map of entries, as browsers give it). */
export function sample(report: Map<string, StatsEntry> | { forEach: RTCStatsReport["forEach"] }): Sample {
  const entries: StatsEntry[] = [];
  report.forEach((entry: StatsEntry) => entries.push(entry));
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  let roundTripTime: number | null = null;
  for (const entry of entries) {
    if (entry.type !== "transport" || typeof entry.selectedCandidatePairId !== "string") continue;
    const pair = byId.get(entry.selectedCandidatePairId);
    if (typeof pair?.currentRoundTripTime === "number") roundTripTime = pair.currentRoundTripTime;
  }
  if (roundTripTime === null) {
    const pair = entries.find((e) => e.type === "candidate-pair" && e.nominated && e.state === "succeeded");
    if (typeof pair?.currentRoundTripTime === "number") roundTripTime = pair.currentRoundTripTime;
  }
  let packetsReceived = 0;
  let packetsLost = 0;
  for (const entry of entries) {
    if (entry.type !== "inbound-rtp") continue;
    packetsReceived += Number(entry.packetsReceived ?? 0);
    packetsLost += Number(entry.packetsLost ?? 0);
  }
  return { roundTripTime, packetsReceived, packetsLost };
}
