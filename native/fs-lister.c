/*
 * iocscan_fs: the file walk's two system calls in bulk, for the file worker
 * (src/collectors/file/worker-program.ts).
 *
 * Listing a folder through node:fs costs a JavaScript object per entry (a Dirent), and lstat-ing
 * a file a BigIntStats with four Date objects and fourteen BigInts, on a path string the kernel
 * walks again from the root for every file. Here a folder is read with readdir(3) and its
 * entries are lstat-ed with statx(2) relative to the folder's descriptor, the values written into
 * the caller's BigInt64Array: about three times faster on a tree of small files, and no garbage.
 *
 *   listFolder(path)                  -> { names: string[], types: Uint8Array }   (d_type per name)
 *   lstatNames(folder, names, values) -> [index, code, message][]                 (the failures)
 *
 * Names are bytes: one that is not UTF-8 is given with each such byte as a lone surrogate
 * U+DC80..U+DCFF, and paths and names given back in that form are read as those bytes
 * (src/shared/path-text.ts): such a file is listed and stat'ed by its real name.
 *
 * The values are those of fs.lstatSync(path, { bigint: true }) (libuv also uses statx on
 * Linux): dev, ino, mode, uid, gid, size, atimeNs, mtimeNs, ctimeNs, birthtimeNs per name; the
 * errors read like node's ("ENOENT: no such file or directory, lstat '/a/b'"). Other systems
 * get an empty module: the worker then uses node:fs.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <stdlib.h>
#include <string.h>

#ifdef __linux__
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <uchar.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <uv.h>

#define FIELDS 10

/*
 * The bytes of a path or name given as a JavaScript string into buf, NUL-terminated; 0 when not
 * a string or too long. A name that is not UTF-8 comes as the lone surrogates U+DC80..U+DCFF
 * for its bytes 0x80..0xFF (surrogateescape, see name_value and src/shared/path-text.ts):
 * those are its bytes again. V8 writes a lone surrogate as U+FFFD (EF BF BD), so only a string
 * whose UTF-8 holds one (or fills buf) is read again as UTF-16: the common case costs a memmem.
 */
static int path_arg(napi_env env, napi_value value, char *buf, size_t size) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, buf, size, &length) != napi_ok) return 0;
  if (length < size - 1 && memmem(buf, length, "\xEF\xBF\xBD", 3) == NULL) return 1;
  size_t units = 0;
  if (napi_get_value_string_utf16(env, value, NULL, 0, &units) != napi_ok) return 0;
  char16_t *u = malloc((units + 1) * sizeof *u);
  if (u == NULL) return 0;
  napi_get_value_string_utf16(env, value, u, units + 1, &units);
  size_t out = 0;
  int fits = 1;
  for (size_t i = 0; i < units && fits; i++) {
    uint32_t c = u[i];
    unsigned char bytes[4];
    size_t n;
    if (c >= 0xDC80 && c <= 0xDCFF) bytes[0] = (unsigned char)(c - 0xDC00), n = 1;
    else if (c < 0x80) bytes[0] = (unsigned char)c, n = 1;
    else if (c < 0x800) bytes[0] = 0xC0 | (c >> 6), bytes[1] = 0x80 | (c & 0x3F), n = 2;
    else if (c >= 0xD800 && c <= 0xDBFF && i + 1 < units && u[i + 1] >= 0xDC00 && u[i + 1] <= 0xDFFF) {
      uint32_t cp = 0x10000 + ((c - 0xD800) << 10) + (u[++i] - 0xDC00);
      bytes[0] = 0xF0 | (cp >> 18), bytes[1] = 0x80 | ((cp >> 12) & 0x3F), bytes[2] = 0x80 | ((cp >> 6) & 0x3F), bytes[3] = 0x80 | (cp & 0x3F), n = 4;
    } else {
      if (c >= 0xD800 && c <= 0xDFFF) c = 0xFFFD; /* another lone surrogate: as V8 writes it */
      bytes[0] = 0xE0 | (c >> 12), bytes[1] = 0x80 | ((c >> 6) & 0x3F), bytes[2] = 0x80 | (c & 0x3F), n = 3;
    }
    if (out + n >= size) fits = 0;
    else {
      memcpy(buf + out, bytes, n);
      out += n;
    }
  }
  free(u);
  buf[out] = '\0';
  return fits;
}

/* The length of the valid multi-byte UTF-8 sequence at s (RFC 3629), or 0. */
static size_t sequence_length(const unsigned char *s) {
#define CONT(k, lo, hi) (s[k] >= (lo) && s[k] <= (hi))
  unsigned char b = s[0];
  if (b >= 0xC2 && b <= 0xDF) return CONT(1, 0x80, 0xBF) ? 2 : 0;
  if (b == 0xE0) return CONT(1, 0xA0, 0xBF) && CONT(2, 0x80, 0xBF) ? 3 : 0;
  if (b == 0xED) return CONT(1, 0x80, 0x9F) && CONT(2, 0x80, 0xBF) ? 3 : 0;
  if (b >= 0xE1 && b <= 0xEF) return CONT(1, 0x80, 0xBF) && CONT(2, 0x80, 0xBF) ? 3 : 0;
  if (b == 0xF0) return CONT(1, 0x90, 0xBF) && CONT(2, 0x80, 0xBF) && CONT(3, 0x80, 0xBF) ? 4 : 0;
  if (b >= 0xF1 && b <= 0xF3) return CONT(1, 0x80, 0xBF) && CONT(2, 0x80, 0xBF) && CONT(3, 0x80, 0xBF) ? 4 : 0;
  if (b == 0xF4) return CONT(1, 0x80, 0x8F) && CONT(2, 0x80, 0xBF) && CONT(3, 0x80, 0xBF) ? 4 : 0;
  return 0;
#undef CONT
}

/*
 * A listed name as a JavaScript string: its UTF-8; a name that is not UTF-8 with each byte
 * outside a valid sequence as U+DC00 + byte (lossless: no UTF-8 decodes to a lone surrogate).
 * An ASCII name (nearly all) is told by one pass over its bytes. A continuation byte cannot be
 * NUL, so CONT never reads past the name's terminating NUL.
 */
static napi_value name_value(napi_env env, const char *name) {
  const unsigned char *s = (const unsigned char *)name;
  size_t i = 0;
  while (s[i] != 0 && s[i] < 0x80) i++;
  int valid = 1;
  for (size_t j = i; s[j] != 0 && valid;) {
    size_t n = s[j] < 0x80 ? 1 : sequence_length(s + j);
    if (n == 0) valid = 0;
    j += n;
  }
  napi_value value;
  if (valid) {
    napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &value);
    return value;
  }
  char16_t units[NAME_MAX + 1];
  size_t count = 0;
  for (size_t j = 0; s[j] != 0 && count < NAME_MAX;) {
    if (s[j] < 0x80) {
      units[count++] = s[j++];
      continue;
    }
    size_t n = sequence_length(s + j);
    if (n == 0) {
      units[count++] = (char16_t)(0xDC00 + s[j++]);
      continue;
    }
    uint32_t cp = n == 2 ? s[j] & 0x1F : n == 3 ? s[j] & 0x0F : s[j] & 0x07;
    for (size_t k = 1; k < n; k++) cp = (cp << 6) | (s[j + k] & 0x3F);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      units[count++] = (char16_t)(0xD800 + (cp >> 10));
      units[count++] = (char16_t)(0xDC00 + (cp & 0x3FF));
    } else units[count++] = (char16_t)cp;
    j += n;
  }
  napi_create_string_utf16(env, units, count, &value);
  return value;
}

/* node's error text: "ENOENT: no such file or directory, lstat '/a/b'". */
static napi_value error_text(napi_env env, int error, const char *syscall, const char *folder, const char *name) {
  char text[PATH_MAX * 2 + 128];
  if (name == NULL) snprintf(text, sizeof text, "%s: %s, %s '%s'", uv_err_name(-error), uv_strerror(-error), syscall, folder);
  else snprintf(text, sizeof text, "%s: %s, %s '%s%s%s'", uv_err_name(-error), uv_strerror(-error), syscall, folder, folder[0] != '\0' && folder[strlen(folder) - 1] == '/' ? "" : "/", name);
  napi_value out;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &out);
  return out;
}

/* Throws an Error such as node's fs throws: message, code, errno, syscall, path. */
static void throw_fs_error(napi_env env, int error, const char *syscall, const char *path) {
  napi_value message, code, error_object, value;
  message = error_text(env, error, syscall, path, NULL);
  napi_create_string_utf8(env, uv_err_name(-error), NAPI_AUTO_LENGTH, &code);
  napi_create_error(env, code, message, &error_object);
  napi_create_int32(env, -error, &value);
  napi_set_named_property(env, error_object, "errno", value);
  napi_set_named_property(env, error_object, "code", code);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, error_object, "syscall", value);
  napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, error_object, "path", value);
  napi_throw(env, error_object);
}

static napi_value list_folder(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char path[PATH_MAX + 1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || !path_arg(env, argv[0], path, sizeof path)) {
    napi_throw_type_error(env, NULL, "listFolder(path): path must be a string shorter than PATH_MAX");
    return NULL;
  }
  DIR *dir = opendir(path);
  if (dir == NULL) {
    throw_fs_error(env, errno, "scandir", path);
    return NULL;
  }
  napi_value names;
  napi_create_array(env, &names);
  size_t count = 0, capacity = 64;
  unsigned char *types = malloc(capacity);
  struct dirent *entry;
  errno = 0;
  while (types != NULL && (entry = readdir(dir)) != NULL) {
    const char *name = entry->d_name;
    if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
    if (count == capacity) {
      unsigned char *grown = realloc(types, capacity *= 2);
      if (grown == NULL) {
        free(types);
        types = NULL;
        break;
      }
      types = grown;
    }
    napi_set_element(env, names, (uint32_t)count, name_value(env, name));
    types[count++] = entry->d_type;
    errno = 0;
  }
  int failure = types == NULL ? ENOMEM : errno;
  closedir(dir);
  if (failure != 0) {
    free(types);
    throw_fs_error(env, failure, "scandir", path);
    return NULL;
  }
  napi_value buffer, typed, result;
  void *data;
  napi_create_arraybuffer(env, count, &data, &buffer);
  if (count > 0) memcpy(data, types, count);
  free(types);
  napi_create_typedarray(env, napi_uint8_array, count, buffer, 0, &typed);
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "names", names);
  napi_set_named_property(env, result, "types", typed);
  return result;
}

static int64_t ns(struct statx_timestamp t) {
  return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static napi_value failure_entry(napi_env env, uint32_t index, int error, const char *folder, const char *name) {
  napi_value entry, value;
  napi_create_array_with_length(env, 3, &entry);
  napi_create_uint32(env, index, &value);
  napi_set_element(env, entry, 0, value);
  napi_create_string_utf8(env, uv_err_name(-error), NAPI_AUTO_LENGTH, &value);
  napi_set_element(env, entry, 1, value);
  napi_set_element(env, entry, 2, error_text(env, error, "lstat", folder, name));
  return entry;
}

static napi_value lstat_names(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  char folder[PATH_MAX + 1], name[PATH_MAX + 1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint32_t count = 0;
  bool is_array = false;
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (argc < 3 || !path_arg(env, argv[0], folder, sizeof folder) || napi_is_array(env, argv[1], &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, argv[1], &count) != napi_ok ||
      napi_get_typedarray_info(env, argv[2], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_bigint64_array ||
      length < (size_t)count * FIELDS) {
    napi_throw_type_error(env, NULL, "lstatNames(folder, names, values): a folder path, an array of names and a BigInt64Array of 10 values per name");
    return NULL;
  }
  int64_t *values = data;
  napi_value failures;
  napi_create_array(env, &failures);
  uint32_t failed = 0;
  int folder_fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int folder_error = folder_fd < 0 ? errno : 0;
  for (uint32_t i = 0; i < count; i++) {
    int64_t *v = values + (size_t)i * FIELDS;
    memset(v, 0, FIELDS * sizeof *v);
    napi_value element;
    napi_get_element(env, argv[1], i, &element);
    int error = folder_error;
    struct statx st;
    if (!path_arg(env, element, name, sizeof name)) error = ENAMETOOLONG;
    else if (error == 0 && statx(folder_fd, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME, &st) != 0) error = errno;
    if (error != 0) {
      napi_set_element(env, failures, failed++, failure_entry(env, i, error, folder, name));
      continue;
    }
    v[0] = (int64_t)makedev(st.stx_dev_major, st.stx_dev_minor);
    v[1] = (int64_t)st.stx_ino;
    v[2] = st.stx_mode;
    v[3] = st.stx_uid;
    v[4] = st.stx_gid;
    v[5] = (int64_t)st.stx_size;
    v[6] = ns(st.stx_atime);
    v[7] = ns(st.stx_mtime);
    v[8] = ns(st.stx_ctime);
    v[9] = ns(st.stx_btime);
  }
  if (folder_fd >= 0) close(folder_fd);
  return failures;
}
#endif

NAPI_MODULE_INIT() {
#ifdef __linux__
  napi_value fn;
  napi_create_function(env, "listFolder", NAPI_AUTO_LENGTH, list_folder, NULL, &fn);
  napi_set_named_property(env, exports, "listFolder", fn);
  napi_create_function(env, "lstatNames", NAPI_AUTO_LENGTH, lstat_names, NULL, &fn);
  napi_set_named_property(env, exports, "lstatNames", fn);
#endif
  return exports;
}
