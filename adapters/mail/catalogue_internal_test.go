package mail

import (
	"testing"
	"text/template/parse"

	"github.com/whisper-schools/whisper/catalogue/cataloguetest"
	"github.com/whisper-schools/whisper/domain"
)

// TestReporterEmailsAreAllInWelsh fails when an email to a reporter asks
// the catalogue for a message that has no Welsh.
func TestReporterEmailsAreAllInWelsh(t *testing.T) {
	for _, kind := range []domain.DeliveryKind{domain.DeliveryReporterLink, domain.DeliveryReporterFreshLink, domain.DeliveryReporterReply} {
		var trees []*parse.Tree
		for _, tt := range byKind[domain.Welsh][kind].Templates() {
			trees = append(trees, tt.Tree)
		}
		cataloguetest.RequireWelsh(t, string(kind), cataloguetest.TemplateKeys(trees...))
	}
}
