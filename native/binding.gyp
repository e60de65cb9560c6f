{
  "targets": [
    {
      "target_name": "udp_batch_reader",
      "sources": ["udp_batch_reader.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
