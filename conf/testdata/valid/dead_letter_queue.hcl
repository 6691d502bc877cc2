# Logstash's dead_letter_queue.* settings, as a block in pipeline { }.
pipeline {
  id = "orders"
  dead_letter_queue {
    enable         = true
    path           = "/var/lib/pipe/dead_letter_queue"  # per pipeline: .../orders/
    max_bytes      = "512mb"                             # or a number of bytes
    storage_policy = "drop_older"
    flush_interval = 1000                                # milliseconds
  }
}
input { stdin {} }
output { null {} }
