/**
 * The console address of the IOC viewer showing one detection: the IOC's indicator tree with the
 * items that matched highlighted and the object's observed values. For "view in IOC" links in
 * any detection table: `<Link to={iocViewerLink(d)}>view in IOC</Link>`.
 */
import type { Detection } from "../api/types.js";

export function iocViewerLink(d: Pick<Detection, "iocId" | "taskId" | "deviceId" | "document" | "objectId">): string {
  const params = new URLSearchParams({ iocId: d.iocId, taskId: d.taskId, deviceId: d.deviceId, document: d.document, objectId: d.objectId });
  return `/ioc-viewer?${params.toString()}`;
}
