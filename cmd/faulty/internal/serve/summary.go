package serve

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/pipeproject/pipe/cmd/faulty/internal/sender"
)

// WriteText writes the summary as short tables.
func (s *Summary) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "faulty sent %d records to %s (format v%d), dropped %d; seed %d\n",
		s.Total, s.LogTo, s.LogVersion, s.Dropped, s.Seed)
	fmt.Fprintf(tw, "requests\t%d\t", s.Requests)
	for _, k := range sender.SortedKeys(s.Statuses) {
		fmt.Fprintf(tw, " %s=%d", k, s.Statuses[k])
	}
	fmt.Fprintf(tw, "\ntasks\tqueued %d\t dropped %d\n", s.TasksQueued, s.TasksDropped)
	section := func(title string, m map[string]int) {
		if len(m) == 0 {
			return
		}
		fmt.Fprintf(tw, "%s\n", title)
		for _, k := range sender.SortedKeys(m) {
			fmt.Fprintf(tw, "  %s\t%d\n", k, m[k])
		}
	}
	section("loggers", s.Loggers)
	if len(s.LoggerLevels) > 0 {
		fmt.Fprintf(tw, "logger/level\n")
		loggers := make([]string, 0, len(s.LoggerLevels))
		for l := range s.LoggerLevels {
			loggers = append(loggers, l)
		}
		slices.Sort(loggers)
		for _, l := range loggers {
			for _, lv := range sender.SortedKeys(s.LoggerLevels[l]) {
				fmt.Fprintf(tw, "  %s %s\t%d\n", l, lv, s.LoggerLevels[l][lv])
			}
		}
	}
	section("levels", s.Levels)
	section("exception kinds", s.ExceptionKinds)
	top := map[string]int{}
	for i, k := range sender.SortedKeys(s.MIMETypes) {
		if i == 10 {
			break
		}
		top[k] = s.MIMETypes[k]
	}
	section(fmt.Sprintf("MIME types (top %d of %d)", len(top), len(s.MIMETypes)), top)
	section("dropped by reason", s.DropReasons)
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing summary: %w", err)
	}
	return nil
}
