# Each "# error:" comment is a diagnostic expected on its line; no other
# line may have one (TestConfigErrorFixtures).
filter {
  date {
    match = ["logdate"]                               # error: option match: needs a field name and at least one date format
  }
  date {
    match = ["logdate", "ISO8601", "yyyy-MM-dd HH:mm:ss Q"] # error: invalid date format "yyyy-MM-dd HH:mm:ss Q" (element 3): unknown pattern letter "Q"
  }
  date {
    match = ["logdate", ""]                           # error: invalid date format "" (element 2): empty pattern
  }
  date {
    match = ["[log]date]", "ISO8601"]                 # error: option match: the first element is not a field reference
  }
  date {
    match    = ["logdate", "ISO8601"]
    timezone = "Mars/Olympus"                         # error: option timezone: unknown time zone "Mars/Olympus"
  }
  date {
    match    = ["logdate", "ISO8601"]
    timezone = "Local"                                # error: option timezone: unknown time zone "Local"
  }
  date {
    match  = ["logdate", "ISO8601"]
    locale = "tlh"                                    # error: option locale: unknown locale "tlh"
  }
  date {
    match  = ["logdate", "ISO8601"]
    target = "[a"                                     # error: option target: not a field reference
  }
}
