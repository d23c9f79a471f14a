/** `tkms faucet` and `tkms balance`: test tokens for fees on dev networks. */
import type { Command } from 'commander';
import { printResult } from '../output.js';
import type { CliContext } from '../context.js';
import { TkmsError } from '../../common/errors.js';

export function registerFaucet(program: Command, ctx: () => CliContext): void {
  program
    .command('faucet')
    .description("credit the account with test tokens from the network's faucet")
    .option('--address <address>', 'credit this address instead of the own account')
    .action(async (o: { address?: string }) => {
      const c = ctx();
      const address = o.address ?? (await c.account()).address;
      const res = await fetch(`${c.network().faucetUrl}/credit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ address }),
      }).catch((e: unknown) => {
        throw new TkmsError('FAUCET_UNREACHABLE', `cannot reach the faucet at ${c.network().faucetUrl}`, { cause: e });
      });
      const body = (await res.json()) as { amount?: string; txHash?: string; error?: string; code?: string };
      if (!res.ok) throw new TkmsError(body.code ?? 'FAUCET_FAILED', `faucet refused: ${body.error ?? res.status}`);
      printResult(c.opts, { address, amount: body.amount, txHash: body.txHash }, () => `credited ${body.amount} to ${address}`);
    });
  program
    .command('balance')
    .description('show the account balance in the native denom')
    .option('--address <address>', 'another address')
    .action(async (o: { address?: string }) => {
      const c = ctx();
      const client = await c.chain(false);
      const address = o.address ?? (await c.account()).address;
      const coin = await client.balance(address, c.network().denom);
      printResult(c.opts, { address, ...coin }, () => `${coin.amount}${coin.denom}`);
    });
}
