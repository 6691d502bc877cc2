# A config with comments everywhere.
# Before the input section.
input {
  # after an opening brace
  # before a plugin
  stdin {
    # before an option
    codec = "json_lines" # after an option
    # at the end of a plugin
  } # after a plugin
  # at the end of a section
}

# between sections
filter {
  # before an if
  if "[a] == 1" {
    # after an if's brace
    drop {}
    # at the end of a branch
  }
  # before an else
  else {
    json {
      source = "message"
      add_field = {
        # before a hash entry
        "x" = "y" # after a hash entry
      }
      add_tag = [
        # before an array item
        "t1", # after an array item
        "t2",
      ]
    }
  }
}

output {
  stdout {}
}

# at the end of the file
