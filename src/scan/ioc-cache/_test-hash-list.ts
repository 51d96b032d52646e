/**
 * Test data: an OpenIOC 1.0 file that is one long hash list (an OR of `count` SHA-256 items with
 * ids `id-0`, `id-1`, ...), the shape the IOC cache stores as a binary run.
 *
 * @module
 */

/** A spread of distinct, valid SHA-256 digests: item `i`'s unless `digest` says otherwise. */
export const spreadDigest = (i: number): string => (Math.imul(i + 1, 0x9e3779b1) >>> 0).toString(16).padStart(8, "0").repeat(8);

/** The file's text: IOC `id`, `count` items, item `i` testing `digest(i)`. */
export function hashListIoc(id: string, count: number, digest: (i: number) => string = spreadDigest): string {
  const items = Array.from(
    { length: count },
    (_, i) => `<IndicatorItem id="id-${i}" condition="is"><Context document="FileItem" search="FileItem/Sha256sum" type="mir"/><Content type="sha256">${digest(i)}</Content></IndicatorItem>\n`,
  );
  return `<?xml version="1.0"?>\n<ioc xmlns="http://schemas.mandiant.com/2010/ioc" id="${id}"><short_description>${id}</short_description><definition>\n<Indicator operator="OR" id="root">\n${items.join("")}</Indicator></definition></ioc>\n`;
}
