# Configs that load without a diagnostic (TestConfigErrorFixtures).
filter {
  date {
    match = ["timestamp", "dd/MMM/yyyy:HH:mm:ss Z"]
  }
  date {
    match          = ["[log][date]", "MMM  d HH:mm:ss", "MMM dd HH:mm:ss", "ISO8601", "UNIX", "UNIX_MS", "TAI64N"]
    timezone       = "America/New_York"
    target         = "[event][created]"
    tag_on_failure = ["_dateparsefailure", "date"]
  }
  date {
    match    = ["logdate", "EEE, dd MMM yyyy HH:mm:ss ZZ", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSZZZ", "xxxx-'W'ww-e", "yy DDD", "hh:mm a z", "G C Y kk KK"]
    timezone = "%{[host][tz]}"
    locale   = "pt_BR"
  }
  date {
    match    = ["logdate", "yyyy-MM-dd HH:mm:ss"]
    timezone = "+05:30"
    locale   = "nb-NO"
  }
}
