import { describe, expect, it } from "vitest";
import { isListValuedPath } from "./list-valued.js";
import { lookupTerm } from "./lookup.js";

describe("isListValuedPath", () => {
  it.each([
    "FileItem/StringList/string",
    "ProcessItem/StringList/string",
    "ProcessItem/HandleList/Handle/Name",
    "ProcessItem/PortList/PortItem/remoteIP",
    "ProcessItem/SectionList/MemorySection/Name",
    "FileItem/PEInfo/Sections/Section/Name",
    "FileItem/PEInfo/ImportedModules/Module/ImportedFunctions/string",
    "FileItem/PEInfo/ImportedModules/Module/Name",
    "FileItem/PEInfo/Exports/ExportedFunctions/string",
    "FileItem/PEInfo/DetectedAnomalies/string",
    "FileItem/PEInfo/DigitalSignature/CertificateSubject",
    "DriverItem/DeviceItem/AttachedToDriverName",
    "SystemInfoItem/networkArray/networkInfo/ipArray/ipInfo/ipAddress",
    "UserItem/grouplist/groupname",
    "GroupItem/userlist/username",
    "TaskItem/TriggerList/Trigger/TriggerBegin",
    "EventLogItem/unformattedMessage/string",
    "eventItem/details/detail/name",
  ])("%s is list-valued", (term) => {
    expect(isListValuedPath(term)).toBe(true);
    expect(lookupTerm(term)?.listValued).toBe(true);
  });

  it.each([
    "FileItem/Md5sum",
    "FileItem/FullPath",
    "ProcessItem/name",
    "PortItem/remoteIP",
    "FileItem/PEInfo/Sections/NumberOfSections",
    "FileItem/PEInfo/Exports/DllName",
    "FileItem/PEInfo/PETimeStamp",
    "DnsEntryItem/RecordData/String",
    "AgentInfo/ExdPlugin/content-whitelist/version",
    "Yara/TextString",
    "Network/DNS",
  ])("%s is a single value", (term) => {
    expect(isListValuedPath(term)).toBe(false);
    expect(lookupTerm(term)?.listValued).toBe(false);
  });
});
