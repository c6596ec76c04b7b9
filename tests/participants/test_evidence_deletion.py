"""Evidence files go with their rows (issue 10): a document deleted on its own, in bulk or through its
referral's cascade loses its file once the delete commits, never before; a rolled-back delete keeps both.
Real commits, so these tests run outside the test transaction."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from participants.models import EvidenceDocument, Referral
from participants.workspace import services
from tests.participants.workspace_support import build_desk

pytestmark = pytest.mark.django_db(transaction=True)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def stored(referral: Referral, user) -> tuple[int, Path]:
    document = services.upload_evidence(
        referral=referral, uploaded_file=SimpleUploadedFile("payslip.pdf", PDF), kind="PAYSLIP", user=user
    )
    path = Path(document.file.path)
    assert path.exists()
    return document.pk, path


def test_a_deleted_document_takes_its_file_once_the_delete_commits():
    desk = build_desk()
    pk, path = stored(desk.referral, desk.key_worker.user)
    kept_pk, kept = stored(desk.referral, desk.key_worker.user)
    with transaction.atomic():
        EvidenceDocument.objects.get(pk=pk).delete()
        assert path.exists()  # not before the commit: the delete could still roll back
    assert not path.exists()
    assert kept.exists() and EvidenceDocument.objects.filter(pk=kept_pk).exists()


def test_documents_deleted_in_bulk_or_with_their_referral_take_their_files():
    desk = build_desk()
    first, first_path = stored(desk.referral, desk.key_worker.user)
    _, second_path = stored(desk.other_referral, desk.key_worker.user)
    EvidenceDocument.objects.filter(pk=first).delete()  # the admin's "delete selected"
    assert not first_path.exists()
    with transaction.atomic():
        Referral.objects.get(pk=desk.other_referral.pk).delete()
        assert second_path.exists()
    assert not second_path.exists()
    assert not EvidenceDocument.objects.exists()


@pytest.mark.parametrize("through_referral", [False, True])
def test_a_rolled_back_delete_keeps_the_row_and_its_file(through_referral):
    desk = build_desk()
    pk, path = stored(desk.referral, desk.key_worker.user)
    with pytest.raises(RuntimeError), transaction.atomic():
        if through_referral:
            Referral.objects.get(pk=desk.referral.pk).delete()
        else:
            EvidenceDocument.objects.get(pk=pk).delete()
        raise RuntimeError("the request fails after the delete")
    assert path.exists() and EvidenceDocument.objects.filter(pk=pk).exists()
