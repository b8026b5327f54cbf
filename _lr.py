import time, torch, glob, sys, json, numpy as np
from pathlib import Path
torch.set_num_threads(1)
from customize import chat, lora
from customize.batches import ChatBatches
from customize.data import command_examples
from customize.commands import SCHEMA_PATH
from customize.loss import AnswerLoss
from customize.evaluate import score_commands, eval_loss
from customize.generate import generate
root = Path(glob.glob('/tmp/cz/demo/a/train/*/model')[0])
T = chat.load_tokenizer(root)
ex = command_examples(Path('data/commands/train.jsonl'), SCHEMA_PATH, [])
ev = command_examples(Path('data/commands/eval.jsonl'), SCHEMA_PATH, [])[:48]
B = ChatBatches.from_examples(T, ex); E = ChatBatches.from_examples(T, ev)
lr, rank, steps, mb = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
m = lora.wrap(lora.load_base(root, torch.bfloat16), 'x', rank, 2*rank, 0.05, ['q_proj','k_proj','v_proj','o_proj','gate_proj','up_proj','down_proj'], 1)
L = AnswerLoss(m)
params=[p for p in m.parameters() if p.requires_grad]
opt = torch.optim.AdamW(params, lr=lr, fused=True, weight_decay=0)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1,(s+1)/10) * (0.1+0.9*0.5*(1+np.cos(np.pi*min(1,s/steps)))))
rng=np.random.default_rng(0); order=np.concatenate([rng.permutation(len(B)) for _ in range(10)])
t0=time.time()
for s in range(steps):
    b = B.batch(order[s*mb:(s+1)*mb])
    with torch.autocast('cpu', dtype=torch.bfloat16): loss = L(b)
    loss.backward(); torch.nn.utils.clip_grad_norm_(params,1.0); opt.step(); sched.step(); opt.zero_grad()
tt=time.time()-t0
m.eval()
el = eval_loss(L, E, 16, torch.bfloat16, torch.device('cpu'))
outs = generate(m, T, [chat.prompt_ids(T, e.messages) for e in ev], 64, 16, chat.stop_token_ids(T))
print(sys.argv[1:], 'train s', round(tt), 'eval loss', el, score_commands(outs, [e.gold for e in ev]))
print(outs[:3])
