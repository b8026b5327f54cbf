import time, torch, sys, json
from pathlib import Path
torch.set_num_threads(2)
from tests.support.train import manual_sections
from train import tokenizer as tok, model as llama
from train.config import ModelConfig
import yaml
root = Path('/tmp/cz/tinyp')
if not (root/'config.json').exists():
    tk = tok.train_bpe([t for _, t in manual_sections()], 8192)
    tok.save_hf(tk, root)
    ids = tok.special_ids(tk)
    mc = ModelConfig(**yaml.safe_load(open('configs/model/tiny.yaml')))
    llama.save_hf(llama.create(llama.llama_config(mc, 8192, ids['bos'], ids['eos'], ids['pad']), 1), root)
from customize.config import CustomizeConfig, AdapterConfig
from omegaconf import OmegaConf
from hydra import compose, initialize_config_dir
from pipeline.config import register, CONFIG_DIR, to_typed
register()
with initialize_config_dir(str(CONFIG_DIR), version_base=None):
    cfg = to_typed(compose("config", overrides=sys.argv[1:]).customize)
from customize import chat
from customize.run import prepare, score
from customize.data import Problem
T = chat.load_tokenizer(root)
problems = []
for name, a in cfg.adapters.items():
    t = time.time(); p = prepare(name, a, cfg, T, problems); print(name, 'prepare', round(time.time()-t,2), p.stats)
    L = p.train.lengths(); print(' lengths mean', L.mean(), 'max', L.max(), 'answer frac', p.train.answer_tokens()/L.sum())
    from customize.lora import load_base
    m = load_base(root, torch.bfloat16)
    t = time.time(); metrics, samples = score(m, T, p, cfg, torch.device('cpu'), 'before'); print(' score', round(time.time()-t,2), metrics)
print(problems[:3], len(problems))
