/**
 * Evaluation detections in the report's shape (DESIGN.md section 5).
 *
 * @module
 */
import type { Detection } from "../core/evaluate/index.js";
import type { ReportDetection } from "../core/report/index.js";

/** One detection as the report lists it; actions are added by the action runner. */
export function toReportDetection(detection: Detection): ReportDetection {
  return {
    iocId: detection.iocId,
    iocFile: detection.iocFile,
    iocTitle: detection.iocTitle,
    matchedItems: [...detection.matchedItems],
    objects: detection.objects.map((object) => ({
      document: object.document,
      id: object.id,
      fields: { ...object.fields },
      actionable: object.actionable,
    })),
    actions: [],
    ...(detection.mappedItems.length > 0 ? { mappedItems: [...detection.mappedItems] } : {}),
    ...(detection.omittedObjects > 0 ? { omittedObjects: detection.omittedObjects } : {}),
  };
}
