/**
 * respondToDetections on hand-made reports: an object found by several IOCs is acted on once,
 * and never left alone because one of those IOCs binds it only through negated items. The
 * quarantine is a fake: nothing on disk is touched.
 */
import { describe, expect, it } from "vitest";
import { createHostView } from "../collectors/host-view.js";
import type { ReportAction, ReportDetection, ScanReport } from "../core/report/index.js";
import { respondToDetections, type QuarantineTarget } from "./respond.js";

function detection(iocId: string, id: string, actionable: boolean): ReportDetection {
  return { iocId, iocFile: `/iocs/${iocId}.ioc`, iocTitle: iocId, matchedItems: ["i"], objects: [{ document: "FileItem", id, fields: {}, actionable }], actions: [] };
}

function report(detections: ReportDetection[]): ScanReport {
  return { scanId: "s-1", detections } as unknown as ScanReport;
}

function fakeStore(): { target: QuarantineTarget; quarantined: string[] } {
  const quarantined: string[] = [];
  return {
    quarantined,
    target: {
      quarantineFile: (_disk, hostPath): Promise<ReportAction> => {
        quarantined.push(hostPath);
        return Promise.resolve({ type: "quarantine", status: "done", detail: "moved", quarantineId: `q${quarantined.length}`, objectId: hostPath });
      },
      isInsideStore: () => false,
    },
  };
}

const settings = (target: QuarantineTarget) => ({
  host: createHostView("/"),
  scopes: ["/scan"],
  protectedPaths: { isProtected: () => false },
  quarantine: target,
  terminate: () => Promise.reject(new Error("no process here")),
});

describe("respondToDetections with one object found by several IOCs", () => {
  it("quarantines an object once when two IOCs match it positively", async () => {
    const { target, quarantined } = fakeStore();
    const r = report([detection("a", "/scan/x.exe", true), detection("b", "/scan/x.exe", true)]);
    await respondToDetections(r, settings(target));
    expect(quarantined).toEqual(["/scan/x.exe"]);
    expect(r.detections[1]?.actions[0]).toMatchObject({ status: "skipped", detail: "already handled for another IOC (done)" });
  });

  it("quarantines an object matched positively by one IOC even when an IOC listed before binds it only through negated items", async () => {
    const { target, quarantined } = fakeStore();
    const r = report([detection("negated", "/scan/x.exe", false), detection("positive", "/scan/x.exe", true)]);
    await respondToDetections(r, settings(target));
    expect(quarantined).toEqual(["/scan/x.exe"]);
    expect(r.detections[1]?.actions).toMatchObject([{ type: "quarantine", status: "done" }]);
    expect(r.detections[0]?.actions).toMatchObject([{ status: "skipped" }]);
  });
});
