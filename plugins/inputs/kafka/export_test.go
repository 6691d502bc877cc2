package kafka

import "time"

// SetDrainTimeout changes how long a partition waits for records in flight
// before it is given up (tests).
func (in *Input) SetDrainTimeout(d time.Duration) { in.drain = d }
