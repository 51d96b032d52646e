import { describe, expect, it } from "vitest";
import { parseGroup, parsePasswd } from "./accounts.js";

describe("accounts", () => {
  it("parsePasswd keeps well-formed entries and skips comments, NIS lines and malformed ones", () => {
    const text = "root:x:0:0:root:/root:/bin/bash\n+@netgroup::::::\n# c\nbad:x:notanumber:0::/:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin";
    expect(parsePasswd(text)).toEqual([
      { name: "root", uid: 0, gid: 0, gecos: "root", home: "/root", shell: "/bin/bash" },
      { name: "nobody", uid: 65534, gid: 65534, gecos: "nobody", home: "/nonexistent", shell: "/usr/sbin/nologin" },
    ]);
  });

  it("parseGroup splits the member list", () => {
    expect(parseGroup("sudo:x:27:alice, bob\nempty:x:5:\n")).toEqual([
      { name: "sudo", gid: 27, members: ["alice", "bob"] },
      { name: "empty", gid: 5, members: [] },
    ]);
  });
});
