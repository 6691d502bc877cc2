input { stdin {} } filter { if "[a] == 1" { drop {} } else if "[b] =~ /\d+/" { drop { percentage = "x" } } }  # ERROR: a number is required
