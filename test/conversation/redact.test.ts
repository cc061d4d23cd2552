import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { passesLuhn, redact, redactText } from '../../src/conversation/redact.js';

describe('redact', () => {
  it.each([
    ['plain address', 'write to jane.doe42@mail.shop.com now', 'jane.doe42@mail.shop.com'],
    [
      'C04: ZWSP after the address',
      'my email is user@example.test\u200b thanks',
      'user@example.test',
    ],
    ['short domain', 'a@b.io', 'a@b.io'],
  ])('replaces an email with a same-shape stand-in (%s)', (_label, text, email) => {
    const { text: out, spans } = redact(text);
    const start = text.indexOf(email);

    expect(spans).toEqual([{ kind: 'email', start, end: start + email.length }]);
    const standIn = out.slice(start, start + email.length);
    expect(standIn).not.toBe(email);
    expect(standIn).toMatch(/^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$/);
    expect(standIn.split(/[@.]/).map((part) => part.length)).toEqual(
      email.split(/[@.]/).map((part) => part.length),
    );
    expect(out.slice(0, start) + out.slice(start + email.length)).toBe(
      text.slice(0, start) + text.slice(start + email.length),
    );
  });

  it('gives a long email the user@example.invalid look', () => {
    expect(redactText('mail johnx@abcdefg.invalid please')).toBe(
      'mail useru@example.invalid please',
    );
  });

  it.each([
    ['spaced', '4111 1111 1111 1111'],
    ['dashed', '4111-1111-1111-1111'],
    ['unbroken', '5555555555554444'],
    ['amex grouping', '3782 822463 10005'],
  ])('replaces a card number with a Luhn-valid stand-in of the same grouping (%s)', (_l, card) => {
    const text = `my card is ${card}, thanks`;
    const { text: out, spans } = redact(text);
    const standIn = out.slice(11, 11 + card.length);

    expect(spans.map((span) => span.kind)).toEqual(['card']);
    expect(standIn).not.toBe(card);
    expect(standIn.replace(/\d/g, '9')).toBe(card.replace(/\d/g, '9'));
    expect(passesLuhn(standIn)).toBe(true);
    expect(out.endsWith(', thanks')).toBe(true);
  });

  it.each([
    ['international', '+1 (415) 555-2671'],
    ['dotted', '030.1234.5678'],
    ['plain', '07700900123'],
    ['dashed', '555-867-5309'],
  ])('replaces a phone number keeping digit count and separators (%s)', (_label, phone) => {
    const text = `call me on ${phone} today`;
    const { text: out, spans } = redact(text);
    const standIn = out.slice(11, 11 + phone.length);

    expect(spans.map((span) => span.kind)).toEqual(['phone']);
    expect(standIn).not.toBe(phone);
    expect(standIn.replace(/\d/g, '9')).toBe(phone.replace(/\d/g, '9'));
  });

  it.each([
    ['order ids', 'refund order A1234 and B-7731234'],
    ['amounts', 'the bill says $1,299.50 and €49,99'],
    ['dates', 'ordered on 2024-01-15 or 15.01.2024'],
    ['short numbers', 'I bought 3 items for 120 USD'],
    ['URL paths', 'see https://track.example.test/p/12345678'],
  ])('leaves text without personal data alone (%s)', (_label, text) => {
    expect(redact(text)).toEqual({ text, spans: [] });
  });

  it('is a fixed point: redacting redacted text changes nothing', () => {
    const once = redactText('jane@shop.com, +44 20 7946 0958, 4111 1111 1111 1111');
    expect(redactText(once)).toBe(once);
  });

  it('keeps the length, so entity offsets stay valid, for any mix of text and PII', () => {
    const piece = fc.oneof(
      fc.constantFrom('order A1234 ', '😀 ', '👩‍👩‍👧 ', 'refund ', '\u200b', ' '),
      fc.constantFrom('jane.doe@mail.example.com', '+1 415 555 2671', '4111 1111 1111 1111'),
      fc.string({ maxLength: 8 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.join('');
        const { text: out, spans } = redact(text);
        expect(out.length).toBe(text.length);
        // Outside the redacted spans, not one code unit changes.
        let at = 0;
        for (const span of spans) {
          expect(out.slice(at, span.start)).toBe(text.slice(at, span.start));
          at = span.end;
        }
        expect(out.slice(at)).toBe(text.slice(at));
      }),
    );
  });
});
