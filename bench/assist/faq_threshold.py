#!/usr/bin/env python3
"""Chooses `finml assist ask`'s hand-off threshold on labelled messages (standard library only).

Embeds the FAQ questions and the messages of a labelled file with `finml assist embed`, takes
each message's best FAQ cosine, and prints, per threshold, the share of banking messages
answered (and answered with their intent's FAQ entry) beside the share of out-of-scope
messages handed to a person.

    bench/assist/faq_threshold.py FINML ENCODER_DIR data/assist/faq.tsv data/assist/train.tsv
"""
import json
import subprocess
import sys

# The FAQ entry that answers each intent of data/assist (faq.tsv's ids).
FAQ_OF_INTENT = {
    "card_lost_or_stolen": "faq-01", "card_declined": "faq-02", "dispute_charge": "faq-03",
    "reset_password": "faq-04", "loan_application_status": "faq-05", "change_address": "faq-06",
    "activate_card": "faq-07", "card_not_arrived": "faq-08", "change_pin": "faq-09",
    "check_balance": "faq-10", "transfer_money": "faq-11", "transfer_not_received": "faq-12",
    "cancel_direct_debit": "faq-13", "open_account": "faq-14", "close_account": "faq-15",
    "request_statement": "faq-16", "exchange_rate": "faq-17", "atm_problem": "faq-18",
    "credit_limit_increase": "faq-19", "mortgage_inquiry": "faq-20", "report_fraud": "faq-21",
    "change_contact_details": "faq-22", "fees_and_charges": "faq-23",
    "account_blocked": "faq-24", "travel_notice": "faq-25", "contactless_not_working": "faq-26",
    "apply_credit_card": "faq-27", "refund_status": "faq-28",
}
THRESHOLDS = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7]


def embed(finml, encoder, texts):
    out = subprocess.run([finml, "assist", "embed", "--model", encoder, "--json"],
                         input="\n".join(texts) + "\n", capture_output=True, text=True, check=True)
    return [item["embedding"] for item in json.loads(out.stdout)]


def main(finml, encoder, faq_file, labelled_file):
    faq = [line.split("\t")[:2] for line in open(faq_file, encoding="utf-8") if line.strip()]
    rows = [line.rstrip("\n").split("\t") for line in open(labelled_file, encoding="utf-8")
            if line.strip()]
    faq_vectors = embed(finml, encoder, [q for _, q in faq])
    message_vectors = embed(finml, encoder, [text for text, _ in rows])
    best = []
    for (text, intent), v in zip(rows, message_vectors):
        scores = [sum(a * b for a, b in zip(v, f)) for f in faq_vectors]
        top = max(range(len(faq)), key=scores.__getitem__)
        best.append((intent, faq[top][0], scores[top]))
    in_scope = [b for b in best if b[0] in FAQ_OF_INTENT]
    oos = [b for b in best if b[0] == "out_of_scope"]
    print(f"{len(in_scope)} banking messages, {len(oos)} out of scope")
    print("| threshold | banking answered | answered with the right FAQ | out-of-scope handed off |")
    print("|---|---|---|---|")
    for t in THRESHOLDS:
        answered = [b for b in in_scope if b[2] >= t]
        right = [b for b in answered if FAQ_OF_INTENT[b[0]] == b[1]]
        handed = [b for b in oos if b[2] < t]
        print(f"| {t:.2f} | {len(answered) / len(in_scope):.3f} | "
              f"{len(right) / len(in_scope):.3f} | {len(handed) / len(oos):.3f} |")


if __name__ == "__main__":
    main(*sys.argv[1:5])
