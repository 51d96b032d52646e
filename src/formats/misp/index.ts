/**
 * MISP event JSON -> OpenIOC (one IOC per event). See README.md in this folder.
 *
 * @module
 */
export { mispToIocs } from "./misp-to-ioc.js";
export { readMispEvents, type MispAttribute, type MispEvent, type MispObject } from "./misp-events.js";
export { attributeItems, INDICATOR_CATEGORIES, CONVERTED_OBJECTS } from "./attribute-terms.js";
