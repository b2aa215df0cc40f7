package scheduler

// SavesReceived is how many outcomes were handed to the group commit.
func (p *Publisher) SavesReceived() int64 {
	p.saves.mu.Lock()
	defer p.saves.mu.Unlock()
	return p.saves.received
}
