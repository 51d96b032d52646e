/**
 * iocscan's own deny-lists for sandbox noise (research notes sections 4.3-4.8), written from the
 * behaviour seen in the corpus and the public lists the notes name; the MISP warninglists are in
 * ./warninglists.ts. Each entry says what it is, so a dropped value's reason can name it.
 *
 * @module
 */

/** A named pattern; the name is what the `dropped` reason shows. */
export interface NoisePattern {
  readonly name: string;
  readonly pattern: RegExp;
}

const named = (entries: Record<string, RegExp>): NoisePattern[] => Object.entries(entries).map(([name, pattern]) => ({ name, pattern }));

/** Domains of OS, PKI and CDN services a Windows VM contacts by itself (beyond the MISP lists). */
export const DOMAIN_NOISE = named({
  "windows-update": /(^|\.)windowsupdate\.com$/,
  microsoft: /(^|\.)(microsoft|msftncsi|msftconnecttest|windows|live|msn|bing|office|passport)\.(com|net)$/,
  "ocsp-or-crl-host": /^(ocsp|crl)\d*\./,
  "pki-vendor": /(^|\.)(digicert|identrust|lencr|letsencrypt|verisign|symcb|symcd|globalsign|sectigo|usertrust|comodoca)\.(com|org|net)$/,
  "google-pki": /(^|\.)pki\.goog$/,
  cdn: /(^|\.)(akamai|akamaiedge|akamaihd|msedge|edgekey|edgesuite|azureedge|trafficmanager)\.net$/,
  "name-service-discovery": /^(wpad|isatap|teredo)(\.|$)/,
  "reverse-or-local-zone": /\.(arpa|local|localdomain|internal)$/,
});

/** Public resolvers sandboxes use as their own DNS server: contacting them is no IOC. */
export const PUBLIC_RESOLVERS: ReadonlySet<string> = new Set(["8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "208.67.222.222", "208.67.220.220"]);

/** Mutexes every Windows process or framework creates (section 4.6). Matched on the name without `Global\`/`Local\`. */
export const MUTEX_NOISE = named({
  "ctf-input": /^(CicLoadWinStaWinSta0|MSCTF\..*|CTF\..*)$/i,
  "ie-zones": /^Zones(Locked)?CacheCounterMutex$/i,
  "ie-telemetry": /^IESQMMUTEX_/i,
  "mapi-notify": /_MSIMNTFY/i,
  "ras-phonebook": /^RasPbFile$/i,
  "debug-output": /^DBWinMutex$/i,
  "ie-tld": /^!IETld!Mutex$/i,
  wininet: /^Wininet(Connection|Startup|ProxyRegistry)Mutex$/i,
  "ie-history": /^_!MSFTHISTORY!_$|^c:!users!.*!content\.ie5!$|!microsoft!windows!(history|temporary internet files|cookies)/i,
  "perf-counters": /^SM0:/i,
  "dotnet-networking": /^\.net clr networking/i,
  "restart-manager": /^RstrMgr/i,
});

/** Registry writes that are OS or shell bookkeeping (section 4.5). */
export const REGISTRY_NOISE = named({
  "internet-settings": /\\Internet Settings\\(Wpad|ZoneMap|Connections|5\.0\\Cache)(\\|$)/i,
  "explorer-state": /\\Explorer\\(MountPoints2|CD Burning|RecentDocs|UserAssist|ComDlg32|Shell Folders|User Shell Folders|SessionInfo)(\\|$)/i,
  shellbags: /\\(ShellBags|Bags|BagMRU)(\\|$)/i,
  "office-telemetry": /\\Office\\[^\\]+\\Common\\ClientTelemetry(\\|$)/i,
  "vss-diagnostics": /\\Services\\VSS\\Diag(\\|$)/i,
  tracing: /\\Tracing(\\|$)/i,
  certificates: /\\SystemCertificates(\\|$)/i,
  "audio-settings": /\\Multimedia\\Audio/i,
  prefetcher: /\\Windows NT\\CurrentVersion\\Prefetcher(\\|$)/i,
  "rng-seed": /\\Cryptography\\RNG(\\|$)/i,
});

/** Registry keys whose values start programs (section 4.5 "keep by default"). */
export const REGISTRY_PERSISTENCE = named({
  "run-key": /\\CurrentVersion\\(Run|RunOnce|RunOnceEx|RunServices|RunServicesOnce)$/i,
  service: /^HKEY_LOCAL_MACHINE\\SYSTEM\\(CurrentControlSet|ControlSet\d+)\\Services\\[^\\]+$/i,
  winlogon: /\\Windows NT\\CurrentVersion\\Winlogon$/i,
  ifeo: /\\Image File Execution Options\\[^\\]+$/i,
  "appinit-dlls": /\\Windows NT\\CurrentVersion\\Windows$/i,
  "task-cache": /\\Schedule\\TaskCache\\/i,
  "com-hijack": /\\Classes\\CLSID\\[^\\]+\\(InprocServer32|LocalServer32)$/i,
});

/** Values under Winlogon / Windows keys that start programs; others there are noise. */
export const PERSISTENT_VALUE_NAMES: ReadonlySet<string> = new Set(["shell", "userinit", "appinit_dlls", "debugger", "imagepath", "servicedll", ""]);

/** Files Windows, browsers and Office write on their own (section 4.3). Matched on the full VM path. */
export const FILE_NOISE = named({
  "ie-cache-index": /\\index\.dat$/i,
  "browser-cookie": /\\Cookies\\(Low\\)?[^\\]+$/i,
  "folder-settings": /\\desktop\.ini$/i,
  "office-owner-file": /\\~\$[^\\]+$/i,
  "browser-or-office-cache": /\\(Content\.MSO|INetCache|Temporary Internet Files|Office\\Recent)\\/i,
  "crypto-url-cache": /\\MicrosoftCryptnetUrlCache\\/i,
  "recent-shortcut": /\\Recent\\[^\\]+\.lnk$/i,
  "error-report": /\\(WER|ReportQueue|ReportArchive)\\/i,
  "prefetch-file": /\\Prefetch\\[^\\]+\.pf$/i,
  "temporary-file": /\\Temp\\[^\\]*\.tmp$/i,
  "adobe-cache": /\\Adobe\\Acrobat\\[^\\]+\\(Cache|AdobeCMapFnt|UserCache)/i,
  "stock-system-file": /^[a-z]:\\(autoexec\.bat|config\.sys|boot\.ini|bootmgr|pagefile\.sys|hiberfil\.sys|swapfile\.sys)$/i,
  "office-app-data": /\\Microsoft\\Office\\\d+\.\d+\\/i,
  "program-compatibility-cache": /\\appcompat\\Programs\\/i,
  // `setup.xml.<64 hex>`: a victim file renamed by ransomware with a per-run key; never seen twice.
  "renamed-victim-file": /\.[0-9a-f]{16,}$/i,
});

/** Sandbox plumbing and OS background processes (section 4.8), matched on the command line. */
export const COMMAND_NOISE = named({
  "sandbox-analyzer": /\\(Python\d*|tmp[^\\]*)\\.*(analyzer\.py|inject-x(86|64)\.exe)|^"?C:\\tmp[^\\]*\\bin\\/i,
  "service-host": /\\svchost\.exe"?\s+-k\b/i,
  wmi: /WmiPrvSE\.exe"?\s+-(secured|Embedding)/i,
  "com-surrogate": /dllhost\.exe"?\s+\/Processid:/i,
  "task-engine": /taskeng\.exe"?\s+\{/i,
  indexer: /Search(Indexer|ProtocolHost|FilterHost)\.exe/i,
  licensing: /SppExtComObj\.exe|slui\.exe/i,
  "error-reporting": /(wermgr|WerFault)\.exe"?\s+-/i,
  ngen: /mscorsvw\.exe/i,
  console: /conhost\.exe"?\s+0x/i,
  defender: /MpCmdRun\.exe/i,
  "office-upload": /msoia\.exe/i,
});

/** Programs that are never an IOC by name (LOLBins and stock Windows binaries). */
export const STOCK_PROGRAMS: ReadonlySet<string> = new Set(
  [
    "cmd.exe", "powershell.exe", "pwsh.exe", "conhost.exe", "ping.exe", "schtasks.exe", "at.exe", "wscript.exe", "cscript.exe",
    "mshta.exe", "rundll32.exe", "regsvr32.exe", "reg.exe", "regedit.exe", "sc.exe", "net.exe", "net1.exe", "netsh.exe",
    "explorer.exe", "svchost.exe", "services.exe", "lsass.exe", "winlogon.exe", "csrss.exe", "smss.exe", "wininit.exe",
    "taskhost.exe", "taskhostw.exe", "taskeng.exe", "dllhost.exe", "wmiprvse.exe", "werfault.exe", "wermgr.exe", "msiexec.exe",
    "iexplore.exe", "notepad.exe", "calc.exe", "vssadmin.exe", "wmic.exe", "bcdedit.exe", "certutil.exe", "bitsadmin.exe",
    "timeout.exe", "taskkill.exe", "tasklist.exe", "whoami.exe", "ipconfig.exe", "systeminfo.exe", "attrib.exe", "icacls.exe",
    "takeown.exe", "wevtutil.exe", "mpcmdrun.exe", "sppextcomobj.exe", "slui.exe", "searchindexer.exe", "mscorsvw.exe",
    "msoia.exe", "ctfmon.exe", "dwm.exe", "lsm.exe", "wuauclt.exe", "trustedinstaller.exe", "tiworker.exe", "wmiadap.exe", "vssvc.exe", "userinit.exe", "spoolsv.exe", "audiodg.exe", "sihost.exe", "runtimebroker.exe", "backgroundtaskhost.exe",
  ],
);

/** A name that is the analysed file's hash (sandboxes rename samples that way): never an IOC. */
export const HASH_LIKE_NAME = /^[0-9a-f]{16,128}(\.[a-z0-9]{1,5})?$/i;
