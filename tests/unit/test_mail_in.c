/* Replies to a mass-alert e-mail as real mail clients write them: what
 * `vigied mail-in` keeps is the agent's own words, whoever the client
 * (Thunderbird in French with quoted-printable, Gmail's multipart with
 * base64 and its wrapped attribution line, an HTML-only Outlook, a
 * Latin-1 webmail), the reply address is found in the envelope or the
 * headers, and vacation notices and bounces are recognised. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/mail_in.h"
#include "server/mail_in_mime.h"
#include "server/mail_in_text.h"

#define ADDRESS "reply+345.tr6mzv3apcrpf5da@reply.vigie.example.org"

static struct mail_in_reply reply;

static void read_message(const char *message, const char *envelope_to, const char *sender)
{
    mail_in_read(message, strlen(message), envelope_to, sender, &reply);
}

static void test_thunderbird_french_quoted_printable(void **state)
{
    (void)state;
    read_message("Return-Path: <agent.dupont@example.net>\r\n"
                 "Delivered-To: " ADDRESS "\r\n"
                 "From: Jean Dupont <agent.dupont@example.net>\r\n"
                 "To: Centre Vigie <" ADDRESS ">\r\n"
                 "Subject: =?UTF-8?Q?Re=3A_NE_QUITTEZ_PAS_VOTRE_SITE?=\r\n"
                 "In-Reply-To: <massalert-12-345-email@reply.vigie.example.org>\r\n"
                 "MIME-Version: 1.0\r\n"
                 "Content-Type: text/plain; charset=UTF-8; format=flowed\r\n"
                 "Content-Transfer-Encoding: quoted-printable\r\n"
                 "\r\n"
                 "Un homme correspondant au signalement =C3=A0 l'arr=C3=AAt de bus en face =\r\n"
                 "du centre commercial DUPOND, il part vers la gare.\r\n"
                 "\r\n"
                 "Le 25/11/2026 =C3=A0 07:12, Centre Vigie a =C3=A9crit=C2=A0:\r\n"
                 "> NE QUITTEZ PAS VOTRE SITE - N'INTERVENEZ PAS - Recherche : homme\r\n"
                 "> d'environ 30 ans, blouson noir, pantalon blanc.\r\n"
                 ">\r\n"
                 "> =C3=A9l=C3=A8ve\r\n"
                 "\r\n"
                 "-- \r\n"
                 "Jean Dupont, agent de s=C3=A9curit=C3=A9\r\n",
                 NULL, "agent.dupont@example.net");
    assert_string_equal(reply.address, ADDRESS);
    assert_false(reply.automatic);
    assert_string_equal(reply.text, "Un homme correspondant au signalement à l'arrêt de bus en "
                                    "face du centre commercial DUPOND, il part vers la gare.");
}

static void test_gmail_multipart_base64_wrapped_attribution(void **state)
{
    (void)state;
    /* "Seen him, black jacket, heading north on Rue de Rivoli.\r\n\r\nOn Tue,
     * Nov 25, 2026 at 7:12 AM Centre Vigie <\r\nalertes@vigie.example.org>
     * wrote:\r\n\r\n> DO NOT LEAVE YOUR SITE\r\n>\r\n" in base64. */
    read_message("Delivered-To: somebody-else@example.net\r\n"
                 "From: Agent Smith <smith@gmail.example>\r\n"
                 "To: \"Centre Vigie\" <" ADDRESS ">\r\n"
                 "Subject: Re: DO NOT LEAVE YOUR SITE\r\n"
                 "MIME-Version: 1.0\r\n"
                 "Content-Type: multipart/alternative; boundary=\"000000000000abcdef\"\r\n"
                 "\r\n"
                 "--000000000000abcdef\r\n"
                 "Content-Type: text/plain; charset=\"UTF-8\"\r\n"
                 "Content-Transfer-Encoding: base64\r\n"
                 "\r\n"
                 "U2VlbiBoaW0sIGJsYWNrIGphY2tldCwgaGVhZGluZyBub3J0aCBvbiBSdWUgZGUgUml2b2xpLg0K\r\n"
                 "DQpPbiBUdWUsIE5vdiAyNSwgMjAyNiBhdCA3OjEyIEFNIENlbnRyZSBWaWdpZSA8DQphbGVydGVz\r\n"
                 "QHZpZ2llLmV4YW1wbGUub3JnPiB3cm90ZToNCg0KPiBETyBOT1QgTEVBVkUgWU9VUiBTSVRFDQo+\r\n"
                 "DQo=\r\n"
                 "--000000000000abcdef\r\n"
                 "Content-Type: text/html; charset=\"UTF-8\"\r\n"
                 "\r\n"
                 "<div dir=\"ltr\">Seen him (HTML)</div>\r\n"
                 "--000000000000abcdef--\r\n",
                 NULL, NULL);
    assert_string_equal(reply.address, ADDRESS);
    assert_string_equal(reply.text, "Seen him, black jacket, heading north on Rue de Rivoli.");
}

static void test_outlook_html_only_with_blockquote(void **state)
{
    (void)state;
    read_message("To: " ADDRESS "\r\n"
                 "From: poste3@site.example\r\n"
                 "Content-Type: multipart/mixed; boundary=outer\r\n"
                 "\r\n"
                 "preamble\r\n"
                 "--outer\r\n"
                 "Content-Type: text/html; charset=windows-1252\r\n"
                 "Content-Transfer-Encoding: quoted-printable\r\n"
                 "\r\n"
                 "<html><head><style>p{}</style></head><body><p>Rien =E0 signaler &amp; "
                 "site ferm=E9.</p>\r\n"
                 "<blockquote>NE QUITTEZ PAS VOTRE SITE</blockquote></body></html>\r\n"
                 "--outer\r\n"
                 "Content-Type: image/png\r\n"
                 "Content-Disposition: attachment; filename=x.png\r\n"
                 "Content-Transfer-Encoding: base64\r\n"
                 "\r\n"
                 "iVBORw0KGgo=\r\n"
                 "--outer--\r\n",
                 NULL, NULL);
    assert_string_equal(reply.address, ADDRESS);
    assert_string_equal(reply.text, "Rien à signaler & site fermé.");
}

static void test_latin1_and_original_message_marker(void **state)
{
    (void)state;
    read_message("To: Centre <alertes@vigie.example.org>\r\n"
                 "Content-Type: text/plain; charset=ISO-8859-1\r\n"
                 "Content-Transfer-Encoding: 8bit\r\n"
                 "\r\n"
                 "Vu un v\xe9hicule gris, plaque AB-123-CD.\n"
                 "\n"
                 "-----Message d'origine-----\n"
                 "De : Centre Vigie\n"
                 "Objet : RECHERCHE D'UN VEHICULE\n",
                 "<" ADDRESS ">", NULL);
    /* The envelope recipient names the address when no header does. */
    assert_string_equal(reply.address, ADDRESS);
    assert_string_equal(reply.text, "Vu un véhicule gris, plaque AB-123-CD.");
}

static void test_automatic_messages_and_no_address(void **state)
{
    (void)state;
    read_message("To: " ADDRESS "\r\nAuto-Submitted: auto-replied\r\nSubject: Absent\r\n\r\n"
                 "Je suis absent jusqu'au 1er.\r\n",
                 NULL, "agent@example.net");
    assert_true(reply.automatic);
    read_message("To: " ADDRESS "\r\nSubject: Undelivered\r\n\r\nx\r\n", NULL, "");
    assert_true(reply.automatic);
    read_message("To: " ADDRESS "\r\nPrecedence: bulk\r\n\r\nx\r\n", NULL, NULL);
    assert_true(reply.automatic);
    read_message("To: " ADDRESS "\r\nSubject: Re\r\n\r\nOK\r\n", NULL, "agent@example.net");
    assert_false(reply.automatic);
    assert_string_equal(reply.text, "OK");
    read_message("To: alertes@vigie.example.org\r\n\r\nhello\r\n", NULL, NULL);
    assert_string_equal(reply.address, "");
    /* An address with a line break in the middle is not one. */
    char found[256];
    assert_false(mail_in_find_address("reply+345.tr6mzv3apcrpf5da\r\n@x.org", found, sizeof found));
    assert_true(mail_in_find_address("A <x@y.org>, B <" ADDRESS ">", found, sizeof found));
    assert_string_equal(found, ADDRESS);
}

static void test_strip_quotes_keeps_inline_answers(void **state)
{
    (void)state;
    char out[512];
    const char *text = "On Tue, 25 Nov 2026, Vigie wrote:\n"
                       "> Is he still there?\n"
                       "Yes, near the exit.\n"
                       "> Which way?\n"
                       "\n\n\n"
                       "North.\n";
    mail_in_text_strip_quotes(text, strlen(text), out, sizeof out);
    assert_string_equal(out, "Yes, near the exit.\n\nNorth.");
    char decoded[64];
    size_t n = mail_in_decode_quoted_printable("a=3Db=\r\nc =20=zz", 17, decoded);
    decoded[n] = '\0';
    assert_string_equal(decoded, "a=bc  =zz");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thunderbird_french_quoted_printable),
        cmocka_unit_test(test_gmail_multipart_base64_wrapped_attribution),
        cmocka_unit_test(test_outlook_html_only_with_blockquote),
        cmocka_unit_test(test_latin1_and_original_message_marker),
        cmocka_unit_test(test_automatic_messages_and_no_address),
        cmocka_unit_test(test_strip_quotes_keeps_inline_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
