package app

import "github.com/whisper-schools/whisper/domain"

// parsePhone normalises a phone number, a carrier's or an operator's, by
// the one rule (domain.ParsePhone) in the configured region.
func (s *core) parsePhone(number string) (string, error) {
	return domain.ParsePhone(number, s.region)
}
