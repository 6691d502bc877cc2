package pipeline

// Spec is a whole pipeline as the configuration describes it, decoded and
// validated but not built: conf produces it, New builds it.
type Spec struct {
	Settings Settings
	Inputs   []*PluginSpec
	Filters  []Node
	Outputs  []Node
}

// Node is a step of the filter or output section: a *PluginSpec or an *If.
type Node interface {
	node()
}

// KV is one key/value pair of an ordered option such as add_field.
type KV struct {
	Key   string
	Value string
}

// Common holds the options every plugin takes (Logstash's names). Inputs use
// Type, Tags and AddField; filters use AddField, AddTag, RemoveField and
// RemoveTag, applied only when the filter matched.
type Common struct {
	ID            string
	EnableMetric  bool
	Type          string
	Tags          []string
	AddField      []KV
	AddTag        []string
	RemoveField   []string
	RemoveTag     []string
	PeriodicFlush bool
}

// CodecSpec is a decoded codec option.
type CodecSpec struct {
	Plugin Plugin
	Config any
}

// PluginSpec is one plugin block: which plugin, its decoded config, the
// common options and, for inputs and outputs, the codec.
type PluginSpec struct {
	Plugin Plugin
	Config any
	Common Common
	Codec  *CodecSpec
	// Pos is where the block starts, "file:line:col", for logs.
	Pos string
}

func (*PluginSpec) node() {}

// If is an if / else if / else chain.
type If struct {
	Branches []Branch
	Else     []Node
	// Pos is where the if starts, "file:line:col", for logs.
	Pos string
}

func (*If) node() {}

// Branch is one condition and the steps it guards.
type Branch struct {
	Cond *Condition
	Body []Node
}
