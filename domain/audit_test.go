package domain_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
)

// testMAC stands in for the store's keyed hash.
func testMAC(key string) domain.ChainMAC {
	return func(input []byte) string {
		m := hmac.New(sha256.New, []byte(key))
		m.Write(input)
		return hex.EncodeToString(m.Sum(nil))
	}
}

func chain(mac domain.ChainMAC, n int) []*domain.AuditEntry {
	var out []*domain.AuditEntry
	prev := ""
	for i := range n {
		e := &domain.AuditEntry{Seq: int64(i + 1), At: time.Date(2026, 1, 1, 0, i, 0, 0, time.UTC), Actor: "os:alice",
			Action: domain.AuditHoldSet, Reason: "claim", Details: map[string]string{"b": "2", "a": "1"}, PrevHash: prev}
		e.Hash = mac(domain.ChainInput(prev, e))
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

func TestVerifyChain(t *testing.T) {
	mac := testMAC("k")
	whole := chain(mac, 4)
	assert.Nil(t, domain.VerifyChain(mac, nil, whole))
	assert.Nil(t, domain.VerifyChain(mac, whole[1], whole[2:]), "a page checked from the entry before it")
	assert.Equal(t, whole[0], domain.VerifyChain(testMAC("other key"), nil, whole), "another key makes other hashes")

	altered := chain(mac, 4)
	altered[1].Reason = "something else"
	assert.Equal(t, int64(2), domain.VerifyChain(mac, nil, altered).Seq)

	removed := append(chain(mac, 4)[:1:1], chain(mac, 4)[2:]...)
	assert.Equal(t, int64(3), domain.VerifyChain(mac, nil, removed).Seq, "a removed entry breaks the chain at the next")

	swapped := chain(mac, 4)
	swapped[1], swapped[2] = swapped[2], swapped[1]
	assert.Equal(t, int64(3), domain.VerifyChain(mac, nil, swapped).Seq)

	// Rewritten and recomputed without the key, as SHA-256 chained the
	// entries before the chain was keyed.
	forged := chain(mac, 4)
	prev := ""
	for _, e := range forged {
		e.Reason, e.PrevHash = "forged", prev
		sum := sha256.Sum256(domain.ChainInput(prev, e))
		e.Hash = hex.EncodeToString(sum[:])
		prev = e.Hash
	}
	assert.Equal(t, int64(1), domain.VerifyChain(mac, nil, forged).Seq)
}

func TestParseAuditHead(t *testing.T) {
	hash := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	h, err := domain.ParseAuditHead(" 42:" + hash + "\n")
	require.NoError(t, err)
	assert.Equal(t, domain.AuditHead{Seq: 42, Hash: hash}, h)
	assert.Equal(t, "42:"+hash, h.String())
	for _, bad := range []string{"", "42", "42:", ":" + hash, "0:" + hash, "-1:" + hash, "x:" + hash, "42:" + hash[1:], "42:" + hash + "0", "42:" + hash[:63] + "g"} {
		_, err := domain.ParseAuditHead(bad)
		assert.Equal(t, domain.KindInvalid, domain.KindOf(err), bad)
	}
}
