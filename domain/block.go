package domain

import (
	"io"
	"time"
)

// Block stops one reporter's email address, phone number or IP address
// from opening new interactions, for example after abuse of the service.
// The value itself is not kept: the store keeps only its blind index.
type Block struct {
	ID        BlockID
	Kind      BlockKind
	Value     string    // sensitive; used to compute the index, never stored
	Ref       Reference // the interaction whose reporter was blocked; empty for blocks made before it was kept
	Reason    string
	ExpiresAt *time.Time // nil: until lifted
	CreatedAt time.Time
}

// BlockID identifies a block.
type BlockID string

const prefixBlock = "blk"

// NewBlockID draws a new block identifier.
func NewBlockID(random io.Reader) (BlockID, error) {
	id, err := newID(prefixBlock, random)
	return BlockID(id), err
}

// BlockKind says what a block matches.
type BlockKind string

// The things a block can match.
const (
	BlockEmail BlockKind = "email"
	BlockPhone BlockKind = "phone"
	BlockIP    BlockKind = "ip"
)

// IPBlockDays is how long a block on an IP address lasts unless the
// operator says otherwise. A school often reaches the internet through
// one address, so such a block also stops every other pupil there: it
// must not outlive the trouble it answers.
const IPBlockDays = 7

// Sender is who is trying to open an interaction, as far as blocks care.
type Sender struct {
	Email string
	Phone string
	IP    string
}
