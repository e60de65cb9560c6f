/**
 * What the chat bot needs of a chat system, and nothing more: a Slack Socket Mode or Mattermost
 * adapter implements these four members and the bot, the alias engine and the API stay as they are.
 */
export interface ChatMessage {
  /** Where to answer: the channel, or the sender for a private message. */
  replyTo: string;
  /** The sender as the chat system names it (IRC nick, Slack user id...): what bot.users maps. */
  user: string;
  text: string;
  /** A private (direct) message rather than one in a channel. */
  direct: boolean;
}

export interface ChatAdapter {
  /** For messages: `irc://127.0.0.1:6667`. */
  readonly name: string;
  /** Connect and join; resolves when messages can be sent and received. */
  start(onMessage: (m: ChatMessage) => void): Promise<void>;
  /** Send text (several lines allowed) to a channel or user. */
  post(to: string, text: string): Promise<void>;
  stop(): Promise<void>;
}
