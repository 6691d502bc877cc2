input { stdin {} }
filter {
  json {
    source => "message"  # ERROR: HCL sets options with =, not Logstash's =>
  }
}
