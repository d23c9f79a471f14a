/**
 * @module contracts/lib/response
 * Builds a CosmWasm `Response` as JSON:
 * `{"messages":[…SubMsg],"attributes":[…],"events":[{"type":…,"attributes":[{"key":…,"value":…}]}],"data":null|"<base64>"}`.
 * Custom event types appear on chain as `wasm-<type>` with `_contract_address` added by wasmd.
 */
import { JValue } from "./json";
import { toBase64, utf8 } from "./encoding";

export class Event {
  attrs: JValue = JValue.arr();
  constructor(public type: string) {}

  add(key: string, value: string): Event {
    this.attrs.push(JValue.obj().setStr("key", key).setStr("value", value));
    return this;
  }

  toJson(): JValue {
    return JValue.obj().setStr("type", this.type).set("attributes", this.attrs);
  }
}

export class Response {
  /** SubMsgs (`reply_on: never`), e.g. bank sends of fees. */
  messages: JValue = JValue.arr();
  attributes: JValue = JValue.arr();
  events: Event[] = [];
  data: Uint8Array | null = null;

  addAttribute(key: string, value: string): Response {
    this.attributes.push(JValue.obj().setStr("key", key).setStr("value", value));
    return this;
  }

  /** Adds a `BankMsg::Send` of `amount` (decimal text) `denom` to `to`, as a SubMsg
   * that never replies: `{"id":0,"msg":{"bank":{"send":…}},"gas_limit":null,"reply_on":"never"}`. */
  addBankSend(to: string, denom: string, amount: string): Response {
    const coin = JValue.obj().setStr("denom", denom).setStr("amount", amount);
    const send = JValue.obj().setStr("to_address", to).set("amount", JValue.arr().push(coin));
    this.messages.push(
      JValue.obj()
        .set("id", JValue.num("0"))
        .set("msg", JValue.obj().set("bank", JValue.obj().set("send", send)))
        .set("gas_limit", JValue.nul())
        .setStr("reply_on", "never"),
    );
    return this;
  }

  addEvent(e: Event): Response {
    this.events.push(e);
    return this;
  }

  setData(bytes: Uint8Array): Response {
    this.data = bytes;
    return this;
  }

  setDataString(s: string): Response {
    return this.setData(utf8(s));
  }

  toJson(): string {
    const evs = JValue.arr();
    for (let i = 0; i < this.events.length; i++) evs.push(this.events[i].toJson());
    const data = this.data;
    return JValue.obj()
      .set("messages", this.messages)
      .set("attributes", this.attributes)
      .set("events", evs)
      .set("data", data === null ? JValue.nul() : JValue.str(toBase64(data)))
      .toString();
  }
}
