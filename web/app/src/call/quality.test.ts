import { describe, expect, it } from "vitest";
import { quality, sample } from "./quality";

describe("the connection quality shown in a call", () => {
  it("is good on a quick path without loss, fair when slower, poor when packets are lost", () => {
    const base = { roundTripTime: 0.08, packetsReceived: 1000, packetsLost: 0 };
    expect(quality(null, base)).toBe("good");
    expect(quality(null, { ...base, roundTripTime: 0.5 })).toBe("fair");
    expect(quality(null, { ...base, roundTripTime: 1.2 })).toBe("poor");
    expect(quality(null, { ...base, packetsLost: 50 })).toBe("fair");
    expect(quality(null, { ...base, packetsLost: 200 })).toBe("poor");
  });

  it("counts loss over the last interval, so an old bad patch does not stay on screen", () => {
    const before = { roundTripTime: 0.1, packetsReceived: 1000, packetsLost: 300 };
    const now = { roundTripTime: 0.1, packetsReceived: 2000, packetsLost: 301 };
    expect(quality(null, now)).toBe("poor");
    expect(quality(before, now)).toBe("good");
  });

  it("is unknown before anything is measured", () => {
    expect(quality(null, { roundTripTime: null, packetsReceived: 0, packetsLost: 0 })).toBe("unknown");
  });

  it("reads the selected pair's round trip and every inbound stream from a stats report", () => {
    const report = new Map(
      [
        { id: "T1", type: "transport", selectedCandidatePairId: "P1" },
        { id: "P1", type: "candidate-pair", currentRoundTripTime: 0.42 },
        { id: "A", type: "inbound-rtp", kind: "audio", packetsReceived: 500, packetsLost: 5 },
        { id: "V", type: "inbound-rtp", kind: "video", packetsReceived: 1500, packetsLost: 15 },
        { id: "O", type: "outbound-rtp", kind: "video", packetsSent: 900 },
      ].map((entry) => [entry.id, entry]),
    );
    expect(sample(report)).toEqual({ roundTripTime: 0.42, packetsReceived: 2000, packetsLost: 20 });
  });
});
