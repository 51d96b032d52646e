{
  "targets": [
    {
      "target_name": "iocscan_fs",
      "sources": ["fs-lister.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
