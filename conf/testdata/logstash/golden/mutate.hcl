# The mutate filter's options in their Logstash forms: hashes, arrays of
# pairs, lists and single strings.
input {
  stdin {}
}

filter {
  mutate {
    rename = {
      "HOSTORIP"      = "client_ip"
      "shortHostname" = "short"
    }
    convert = {
      "fieldname"    = "integer"
      "booleanfield" = "boolean"
    }
    gsub = [
      # replace all forward slashes with underscore
      "fieldname",
      "/",
      "_",
      # replace backslashes, question marks, hashes, and minuses
      "fieldname2",
      "[\\\?#-]",
      ".",
    ]
    uppercase = ["fieldname"]
    lowercase = ["a", "b"]
    split = {
      "tags" = ","
    }
    join = {
      "list" = "|"
    }
    merge = {
      "dest_field" = "added_field"
    }
    copy = {
      "source_field" = "dest_field"
    }
    strip = ["field1", "field2"]
    replace = {
      "message" = "%{source_host}: My new message"
    }
    update = {
      "sample" = "My new message"
    }
    add_field = {
      "foo_%{somefield}" = "Hello world, from %{host}"
    }
    remove_field = ["foo_%{somefield}"]
  }
  mutate {
    coerce = {
      "field1" = "default_value"
    }
    tag_on_failure = "_mutate_error"
  }
  date {
    match    = ["logdate", "MMM dd yyyy HH:mm:ss", "MMM  d yyyy HH:mm:ss", "ISO8601"]
    target   = "@timestamp"
    timezone = "Europe/Paris"
    locale   = "en"
  }
}

output {
  stdout {
    codec = "rubydebug"
  }
}
