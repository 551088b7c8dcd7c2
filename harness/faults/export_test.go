package faults

// Active reports how many HTTP and storage faults are active.
func (inj *Injector) Active() (rules, storage int) {
	if r := inj.rules.Load(); r != nil {
		rules = len(*r)
	}
	if s := inj.storage.Load(); s != nil {
		storage = len(*s)
	}
	return rules, storage
}
